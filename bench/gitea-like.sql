-- A Gitea-like database for bench/run.sh: 66 tables with skewed sizes (action, comment, issue,
-- hook_task, session, repository… big; most tables small), serial keys, indexes, text, bytea,
-- jsonb and bigint unix timestamps, generated server-side with generate_series.
--
--   psql -X -v ON_ERROR_STOP=1 -v scale=1 -f bench/gitea-like.sql DBNAME
--
-- scale=1 is about 100 MB (pg_database_size), scale=20 about 2 GB. Tables are created without
-- secondary indexes, filled, then indexed, as a restore would do it.

\set ON_ERROR_STOP on
\if :{?scale}
\else
  \set scale 1
\endif
SET client_min_messages = warning;
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';

-- Deterministic filler: the same scale gives the same database.
SELECT setseed(0.42) \gset

-- ------------------------------------------------------------------ users, orgs, teams
CREATE TABLE "user" (
  id bigserial PRIMARY KEY, lower_name text NOT NULL, name text NOT NULL, full_name text,
  email text NOT NULL, keep_email_private boolean, passwd text, passwd_hash_algo text,
  must_change_password boolean NOT NULL DEFAULT false, login_type int, login_source bigint,
  login_name text, type int, location text, website text, rands text, salt text, language text,
  description text, created_unix bigint, updated_unix bigint, last_login_unix bigint,
  is_active boolean, is_admin boolean, is_restricted boolean NOT NULL DEFAULT false,
  allow_git_hook boolean, avatar text, avatar_email text, use_custom_avatar boolean,
  num_followers int, num_following int NOT NULL DEFAULT 0, num_stars int, num_repos int,
  num_teams int, num_members int, visibility int NOT NULL DEFAULT 0, theme text NOT NULL DEFAULT '');
INSERT INTO "user" (lower_name, name, full_name, email, keep_email_private, passwd,
  passwd_hash_algo, login_type, login_name, type, location, website, rands, salt, language,
  description, created_unix, updated_unix, last_login_unix, is_active, is_admin, allow_git_hook,
  avatar, avatar_email, use_custom_avatar, num_followers, num_stars, num_repos, num_teams,
  num_members, visibility)
SELECT 'user' || i, 'User' || i, 'User Number ' || i, 'user' || i || '@example.org', i % 3 = 0,
  md5('p' || i) || md5('q' || i), 'pbkdf2', 0, '', CASE WHEN i % 20 = 0 THEN 1 ELSE 0 END,
  'City ' || (i % 500), 'https://u' || i || '.example.org', md5('r' || i), md5('s' || i), 'en-US',
  repeat('bio ' || md5(i::text) || ' ', (i % 4)), 1500000000 + i * 97, 1600000000 + i * 13,
  1700000000 + i * 7, true, i % 1000 = 0, false, md5('a' || i), 'user' || i || '@example.org',
  false, (random() * 50)::int, (random() * 100)::int, (random() * 10)::int, (random() * 3)::int,
  0, 0
FROM generate_series(1, 1250 * :scale) AS i;

CREATE TABLE email_address (
  id bigserial PRIMARY KEY, uid bigint NOT NULL, email text NOT NULL, lower_email text NOT NULL,
  is_activated boolean, is_primary boolean DEFAULT false);
INSERT INTO email_address (uid, email, lower_email, is_activated, is_primary)
SELECT 1 + i % (1250 * :scale), 'alt' || i || '@example.org', 'alt' || i || '@example.org', true,
  i <= 1250 * :scale
FROM generate_series(1, 1750 * :scale) AS i;

CREATE TABLE follow (
  id bigserial PRIMARY KEY, user_id bigint, follow_id bigint, created_unix bigint);
INSERT INTO follow (user_id, follow_id, created_unix)
SELECT 1 + (random() * (1250 * :scale - 1))::bigint, 1 + (random() ^ 3 * (1250 * :scale - 1))::bigint,
  1550000000 + i * 31
FROM generate_series(1, 5000 * :scale) AS i;

CREATE TABLE org_user (
  id bigserial PRIMARY KEY, uid bigint, org_id bigint, is_public boolean);
INSERT INTO org_user (uid, org_id, is_public)
SELECT 1 + (random() * (1250 * :scale - 1))::bigint, 20 * (1 + i % (62 * :scale)), i % 2 = 0
FROM generate_series(1, 750 * :scale) AS i;

CREATE TABLE team (
  id bigserial PRIMARY KEY, org_id bigint, lower_name text, name text, description text,
  authorize int, num_repos int, num_members int, includes_all_repositories boolean NOT NULL DEFAULT false,
  can_create_org_repo boolean NOT NULL DEFAULT false);
INSERT INTO team (org_id, lower_name, name, description, authorize, num_repos, num_members)
SELECT 20 * (1 + i % (62 * :scale)), 'team' || i, 'Team ' || i, 'Team number ' || i, 1 + i % 3,
  i % 12, i % 9
FROM generate_series(1, 150 * :scale) AS i;

CREATE TABLE team_user (
  id bigserial PRIMARY KEY, org_id bigint, team_id bigint, uid bigint);
INSERT INTO team_user (org_id, team_id, uid)
SELECT 20 * (1 + i % (62 * :scale)), 1 + i % (150 * :scale), 1 + (random() * (1250 * :scale - 1))::bigint
FROM generate_series(1, 750 * :scale) AS i;

CREATE TABLE team_unit (
  id bigserial PRIMARY KEY, org_id bigint, team_id bigint, type int, access_mode int);
INSERT INTO team_unit (org_id, team_id, type, access_mode)
SELECT 20 * (1 + (i / 8) % (62 * :scale)), 1 + i / 8, 1 + i % 8, 1 + i % 3
FROM generate_series(0, 150 * 8 * :scale - 1) AS i;

CREATE TABLE public_key (
  id bigserial PRIMARY KEY, owner_id bigint NOT NULL, name text NOT NULL, fingerprint text NOT NULL,
  content text NOT NULL, mode int NOT NULL DEFAULT 2, type int NOT NULL DEFAULT 1,
  login_source_id bigint NOT NULL DEFAULT 0, created_unix bigint, updated_unix bigint,
  verified boolean NOT NULL DEFAULT false);
INSERT INTO public_key (owner_id, name, fingerprint, content, created_unix, updated_unix)
SELECT 1 + i % (1250 * :scale), 'key' || i, 'SHA256:' || md5(i::text),
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI' || md5('k' || i) || md5('l' || i) || ' user@host',
  1500000000 + i * 101, 1500000000 + i * 103
FROM generate_series(1, 1000 * :scale) AS i;

CREATE TABLE gpg_key (
  id bigserial PRIMARY KEY, owner_id bigint NOT NULL, key_id text NOT NULL, primary_key_id text,
  content text NOT NULL, created_unix bigint, expired_unix bigint, added_unix bigint,
  emails text, verified boolean NOT NULL DEFAULT false, can_sign boolean, can_encrypt_comms boolean,
  can_encrypt_storage boolean, can_certify boolean);
INSERT INTO gpg_key (owner_id, key_id, content, created_unix, expired_unix, added_unix, emails,
  can_sign, can_encrypt_comms, can_encrypt_storage, can_certify)
SELECT 1 + i * 7 % (1250 * :scale), upper(substr(md5(i::text), 1, 16)), repeat(md5('g' || i), 20),
  1500000000 + i, 0, 1500000000 + i, '[]', true, false, false, true
FROM generate_series(1, 200 * :scale) AS i;

CREATE TABLE two_factor (
  id bigserial PRIMARY KEY, uid bigint UNIQUE, secret text, scratch_salt text, scratch_hash text,
  last_used_passcode text, created_unix bigint, updated_unix bigint);
INSERT INTO two_factor (uid, secret, scratch_salt, scratch_hash, created_unix, updated_unix)
SELECT i * 5, md5('t' || i), md5('u' || i), md5('v' || i) || md5('w' || i), 1600000000 + i,
  1600000000 + i
FROM generate_series(1, 250 * :scale) AS i;

CREATE TABLE webauthn_credential (
  id bigserial PRIMARY KEY, name text, lower_name text, user_id bigint, credential_id bytea,
  public_key bytea, attestation_type text, aaguid bytea, sign_count bigint, clone_warning boolean,
  created_unix bigint, updated_unix bigint);
INSERT INTO webauthn_credential (name, lower_name, user_id, credential_id, public_key,
  attestation_type, aaguid, sign_count, clone_warning, created_unix, updated_unix)
SELECT 'Key ' || i, 'key ' || i, i * 9, decode(md5('c' || i) || md5('d' || i), 'hex'),
  decode(repeat(md5('pk' || i), 4), 'hex'), 'none', decode(md5('ag' || i), 'hex'), i % 100, false,
  1650000000 + i, 1650000000 + i
FROM generate_series(1, 125 * :scale) AS i;

CREATE TABLE access_token (
  id bigserial PRIMARY KEY, uid bigint, name text, token_hash text UNIQUE, token_salt text,
  token_last_eight text, scope text, created_unix bigint, updated_unix bigint);
INSERT INTO access_token (uid, name, token_hash, token_salt, token_last_eight, scope,
  created_unix, updated_unix)
SELECT 1 + i % (1250 * :scale), 'token' || i, md5('th' || i) || md5('ti' || i), md5('ts' || i),
  substr(md5('tl' || i), 1, 8), 'all', 1600000000 + i, 1600000000 + i
FROM generate_series(1, 1500 * :scale) AS i;

CREATE TABLE oauth2_application (
  id bigserial PRIMARY KEY, uid bigint, name text, client_id text UNIQUE, client_secret text,
  confidential_client boolean NOT NULL DEFAULT true, redirect_uris jsonb, created_unix bigint,
  updated_unix bigint);
INSERT INTO oauth2_application (uid, name, client_id, client_secret, redirect_uris, created_unix,
  updated_unix)
SELECT i * 11, 'app' || i, md5('ci' || i), md5('cs' || i) || md5('ct' || i),
  jsonb_build_array('https://app' || i || '.example.org/callback'), 1600000000 + i, 1600000000 + i
FROM generate_series(1, 50 * :scale) AS i;

CREATE TABLE oauth2_grant (
  id bigserial PRIMARY KEY, user_id bigint, application_id bigint, counter bigint NOT NULL DEFAULT 1,
  scope text, nonce text, created_unix bigint, updated_unix bigint);
INSERT INTO oauth2_grant (user_id, application_id, scope, nonce, created_unix, updated_unix)
SELECT 1 + i % (1250 * :scale), 1 + i % (50 * :scale), 'openid profile', md5('n' || i),
  1600000000 + i, 1600000000 + i
FROM generate_series(1, 750 * :scale) AS i;

CREATE TABLE login_source (
  id bigserial PRIMARY KEY, type int, name text UNIQUE, is_active boolean NOT NULL DEFAULT false,
  is_sync_enabled boolean NOT NULL DEFAULT false, cfg text, created_unix bigint, updated_unix bigint);
INSERT INTO login_source (type, name, is_active, cfg, created_unix, updated_unix)
SELECT 2 + i % 4, 'source' || i, true,
  '{"Name":"source' || i || '","Host":"ldap' || i || '.example.org","Port":636}', 1500000000,
  1500000000
FROM generate_series(1, 5) AS i;

CREATE TABLE session (
  key char(16) PRIMARY KEY, data bytea, expiry bigint);
INSERT INTO session (key, data, expiry)
SELECT substr(md5('sess' || i), 1, 16), decode(repeat(md5('sd' || i), 8 + i % 24), 'hex'),
  1700000000 + i
FROM generate_series(1, 10000 * :scale) AS i;

CREATE TABLE user_setting (
  id bigserial PRIMARY KEY, user_id bigint, setting_key varchar(255), setting_value text,
  UNIQUE (user_id, setting_key));
INSERT INTO user_setting (user_id, setting_key, setting_value)
SELECT 1 + i / 3, 'key' || (i % 3), 'value ' || md5(i::text)
FROM generate_series(0, 3 * 1250 * :scale - 1) AS i;

CREATE TABLE user_open_id (
  id bigserial PRIMARY KEY, uid bigint NOT NULL, uri text NOT NULL UNIQUE, show boolean DEFAULT false);
INSERT INTO user_open_id (uid, uri)
SELECT i * 13, 'https://openid.example.org/u' || i
FROM generate_series(1, 25 * :scale) AS i;

CREATE TABLE user_redirect (
  id bigserial PRIMARY KEY, lower_name text NOT NULL, redirect_user_id bigint);
INSERT INTO user_redirect (lower_name, redirect_user_id)
SELECT 'olduser' || i, i * 3
FROM generate_series(1, 75 * :scale) AS i;

-- ------------------------------------------------------------------ repositories
CREATE TABLE repository (
  id bigserial PRIMARY KEY, owner_id bigint, owner_name text, lower_name text NOT NULL,
  name text NOT NULL, description text, website text, original_service_type int,
  original_url text, default_branch text, num_watches int, num_stars int, num_forks int,
  num_issues int, num_closed_issues int, num_pulls int, num_closed_pulls int,
  num_milestones int NOT NULL DEFAULT 0, num_closed_milestones int NOT NULL DEFAULT 0,
  num_projects int NOT NULL DEFAULT 0, num_closed_projects int NOT NULL DEFAULT 0,
  is_private boolean, is_empty boolean, is_archived boolean, is_mirror boolean, status int NOT NULL DEFAULT 0,
  is_fork boolean NOT NULL DEFAULT false, fork_id bigint, is_template boolean NOT NULL DEFAULT false,
  template_id bigint, size bigint NOT NULL DEFAULT 0, is_fsck_enabled boolean NOT NULL DEFAULT true,
  close_issues_via_commit_in_any_branch boolean NOT NULL DEFAULT false, topics jsonb,
  trust_model int, avatar text, created_unix bigint, updated_unix bigint);
INSERT INTO repository (owner_id, owner_name, lower_name, name, description, website,
  original_service_type, original_url, default_branch, num_watches, num_stars, num_forks,
  num_issues, num_closed_issues, num_pulls, num_closed_pulls, is_private, is_empty, is_archived,
  is_mirror, fork_id, template_id, size, topics, trust_model, avatar, created_unix, updated_unix)
SELECT o, 'user' || o, 'repo' || i, 'Repo' || i,
  'Repository ' || i || ': ' || repeat(md5('desc' || i), 1 + i % 5), '', 0, '', 'main',
  (random() * 20)::int, (random() ^ 4 * 2000)::int, (random() ^ 4 * 100)::int,
  (random() * 200)::int, (random() * 150)::int, (random() * 50)::int, (random() * 40)::int,
  i % 4 = 0, false, i % 50 = 0, i % 30 = 0, 0, 0, (random() * 1e9)::bigint,
  jsonb_build_array('go', 'topic' || (i % 40), 'lang' || (i % 9)), 0, '',
  1500000000 + i * 301, 1650000000 + i * 17
FROM (SELECT i, 1 + (random() ^ 2 * (1250 * :scale - 1))::bigint AS o
      FROM generate_series(1, 2500 * :scale) AS i) AS g;

CREATE TABLE repo_unit (
  id bigserial PRIMARY KEY, repo_id bigint, type int, config jsonb, created_unix bigint);
INSERT INTO repo_unit (repo_id, type, config, created_unix)
SELECT 1 + i / 7, 1 + i % 7,
  CASE i % 7 WHEN 1 THEN '{"EnableTimetracker":true,"AllowOnlyContributorsToTrackTime":true}'::jsonb
    WHEN 2 THEN '{"AllowMerge":true,"AllowRebase":true,"AllowSquash":true,"DefaultMergeStyle":"merge"}'::jsonb
    ELSE '{}'::jsonb END, 1500000000 + i
FROM generate_series(0, 7 * 2500 * :scale - 1) AS i;

CREATE TABLE access (
  id bigserial PRIMARY KEY, user_id bigint, repo_id bigint, mode int, UNIQUE (user_id, repo_id));
INSERT INTO access (user_id, repo_id, mode)
SELECT DISTINCT ON (u, r) u, r, 1 + (u + r) % 3
FROM (SELECT 1 + (random() * (1250 * :scale - 1))::bigint AS u,
             1 + (random() * (2500 * :scale - 1))::bigint AS r
      FROM generate_series(1, 7500 * :scale)) AS g;

CREATE TABLE collaboration (
  id bigserial PRIMARY KEY, repo_id bigint NOT NULL, user_id bigint NOT NULL, mode int NOT NULL DEFAULT 2,
  created_unix bigint, updated_unix bigint);
INSERT INTO collaboration (repo_id, user_id, created_unix, updated_unix)
SELECT 1 + i % (2500 * :scale), 1 + (i * 7919) % (1250 * :scale), 1550000000 + i, 1550000000 + i
FROM generate_series(1, 2000 * :scale) AS i;

CREATE TABLE star (
  id bigserial PRIMARY KEY, uid bigint, repo_id bigint, created_unix bigint);
INSERT INTO star (uid, repo_id, created_unix)
SELECT 1 + (random() * (1250 * :scale - 1))::bigint, 1 + (random() ^ 4 * (2500 * :scale - 1))::bigint,
  1550000000 + i * 11
FROM generate_series(1, 10000 * :scale) AS i;

CREATE TABLE watch (
  id bigserial PRIMARY KEY, user_id bigint, repo_id bigint, mode int NOT NULL DEFAULT 1,
  created_unix bigint, updated_unix bigint);
INSERT INTO watch (user_id, repo_id, created_unix, updated_unix)
SELECT 1 + (random() * (1250 * :scale - 1))::bigint, 1 + (random() ^ 3 * (2500 * :scale - 1))::bigint,
  1550000000 + i * 5, 1550000000 + i * 5
FROM generate_series(1, 7500 * :scale) AS i;

CREATE TABLE topic (
  id bigserial PRIMARY KEY, name text UNIQUE, repo_count int, created_unix bigint, updated_unix bigint);
INSERT INTO topic (name, repo_count, created_unix, updated_unix)
SELECT 'topic' || i, (random() * 300)::int, 1500000000 + i, 1500000000 + i
FROM generate_series(1, 400) AS i;

CREATE TABLE repo_topic (
  repo_id bigint NOT NULL, topic_id bigint NOT NULL, PRIMARY KEY (repo_id, topic_id));
INSERT INTO repo_topic (repo_id, topic_id)
SELECT r, t FROM generate_series(1, 2500 * :scale) AS r, LATERAL (SELECT 1 + r % 400 AS t
  UNION SELECT 1 + (r * 7) % 400) AS x;

CREATE TABLE language_stat (
  id bigserial PRIMARY KEY, repo_id bigint NOT NULL, commit_id text, is_primary boolean,
  language varchar(50) NOT NULL, size bigint NOT NULL DEFAULT 0, created_unix bigint);
INSERT INTO language_stat (repo_id, commit_id, is_primary, language, size, created_unix)
SELECT 1 + i / 4, md5('lc' || (i / 4)) || substr(md5('x' || (i / 4)), 1, 8), i % 4 = 0,
  (ARRAY['Go', 'JavaScript', 'TypeScript', 'CSS', 'Shell', 'Python', 'Java', 'C'])[1 + (i * 3) % 8],
  (random() * 1e7)::bigint, 1600000000 + i
FROM generate_series(0, 4 * 2500 * :scale - 1) AS i;

CREATE TABLE repo_indexer_status (
  id bigserial PRIMARY KEY, repo_id bigint, commit_sha varchar(64), indexer_type int NOT NULL DEFAULT 0);
INSERT INTO repo_indexer_status (repo_id, commit_sha, indexer_type)
SELECT i, md5('sha' || i) || substr(md5('sha2' || i), 1, 8), 0
FROM generate_series(1, 2500 * :scale) AS i;

CREATE TABLE branch (
  id bigserial PRIMARY KEY, repo_id bigint, name text, commit_id text, commit_message text,
  pusher_id bigint, is_deleted boolean, deleted_by_id bigint, deleted_unix bigint,
  commit_unix bigint, created_unix bigint, updated_unix bigint);
INSERT INTO branch (repo_id, name, commit_id, commit_message, pusher_id, is_deleted, deleted_by_id,
  deleted_unix, commit_unix, created_unix, updated_unix)
SELECT 1 + (random() ^ 2 * (2500 * :scale - 1))::bigint, 'feature/' || md5(i::text),
  md5('bc' || i) || substr(md5('bd' || i), 1, 8), 'Commit ' || i || ': ' || md5('m' || i),
  1 + i % (1250 * :scale), i % 10 = 0, 0, 0, 1600000000 + i, 1600000000 + i, 1600000000 + i
FROM generate_series(1, 12500 * :scale) AS i;

CREATE TABLE protected_branch (
  id bigserial PRIMARY KEY, repo_id bigint, branch_name text, can_push boolean NOT NULL DEFAULT false,
  enable_whitelist boolean, whitelist_user_i_ds jsonb, whitelist_team_i_ds jsonb,
  required_approvals bigint NOT NULL DEFAULT 0, created_unix bigint, updated_unix bigint);
INSERT INTO protected_branch (repo_id, branch_name, enable_whitelist, whitelist_user_i_ds,
  whitelist_team_i_ds, required_approvals, created_unix, updated_unix)
SELECT i * 5, 'main', true, jsonb_build_array(i, i + 1), '[]'::jsonb, i % 3, 1600000000 + i,
  1600000000 + i
FROM generate_series(1, 500 * :scale) AS i;

CREATE TABLE deploy_key (
  id bigserial PRIMARY KEY, key_id bigint, repo_id bigint, name text, fingerprint text, mode int,
  created_unix bigint, updated_unix bigint);
INSERT INTO deploy_key (key_id, repo_id, name, fingerprint, mode, created_unix, updated_unix)
SELECT i, i * 3, 'deploy' || i, 'SHA256:' || md5('dk' || i), 1, 1600000000 + i, 1600000000 + i
FROM generate_series(1, 250 * :scale) AS i;

CREATE TABLE mirror (
  id bigserial PRIMARY KEY, repo_id bigint, interval bigint, enable_prune boolean NOT NULL DEFAULT true,
  updated_unix bigint, next_update_unix bigint, lfs_enabled boolean NOT NULL DEFAULT false,
  lfs_endpoint text, remote_address text);
INSERT INTO mirror (repo_id, interval, updated_unix, next_update_unix, remote_address)
SELECT i * 30, 28800000000000, 1700000000 + i, 1700028800 + i, 'https://github.com/o/r' || i || '.git'
FROM generate_series(1, 82 * :scale) AS i;

CREATE TABLE release (
  id bigserial PRIMARY KEY, repo_id bigint, publisher_id bigint, tag_name text, original_author text,
  original_author_id bigint, lower_tag_name text, target text, title text, sha1 varchar(64),
  num_commits bigint, note text, is_draft boolean NOT NULL DEFAULT false, is_prerelease boolean NOT NULL DEFAULT false,
  is_tag boolean NOT NULL DEFAULT false, created_unix bigint);
INSERT INTO release (repo_id, publisher_id, tag_name, original_author, original_author_id,
  lower_tag_name, target, title, sha1, num_commits, note, created_unix)
SELECT 1 + (random() ^ 3 * (2500 * :scale - 1))::bigint, 1 + i % (1250 * :scale),
  'v1.' || i, '', 0, 'v1.' || i, 'main', 'Release 1.' || i, md5('rs' || i), i % 500,
  '## Changes' || repeat(E'\n- ' || md5('rn' || i), 1 + i % 12), 1600000000 + i * 41
FROM generate_series(1, 3750 * :scale) AS i;

CREATE TABLE attachment (
  id bigserial PRIMARY KEY, uuid uuid UNIQUE, repo_id bigint, issue_id bigint, release_id bigint,
  uploader_id bigint DEFAULT 0, comment_id bigint, name text, download_count bigint DEFAULT 0,
  size bigint DEFAULT 0, created_unix bigint);
INSERT INTO attachment (uuid, repo_id, issue_id, release_id, uploader_id, comment_id, name,
  download_count, size, created_unix)
SELECT md5('att' || i)::uuid, 1 + i % (2500 * :scale), 1 + i % (10000 * :scale), 0,
  1 + i % (1250 * :scale), 0, 'screenshot-' || i || '.png', (random() * 100)::bigint,
  (random() * 5e6)::bigint, 1600000000 + i * 29
FROM generate_series(1, 5000 * :scale) AS i;

CREATE TABLE upload (
  id bigserial PRIMARY KEY, uuid uuid UNIQUE, name text);
INSERT INTO upload (uuid, name)
SELECT md5('up' || i)::uuid, 'upload-' || i || '.zip'
FROM generate_series(1, 50 * :scale) AS i;

CREATE TABLE lfs_meta_object (
  id bigserial PRIMARY KEY, oid varchar(255) NOT NULL, size bigint NOT NULL, repository_id bigint NOT NULL,
  created_unix bigint, UNIQUE (oid, repository_id));
INSERT INTO lfs_meta_object (oid, size, repository_id, created_unix)
SELECT md5('lfs' || i) || md5('lfs2' || i), (random() * 1e8)::bigint, 1 + i % (2500 * :scale),
  1600000000 + i
FROM generate_series(1, 2000 * :scale) AS i;

-- ------------------------------------------------------------------ issues and pull requests
CREATE TABLE milestone (
  id bigserial PRIMARY KEY, repo_id bigint, name text, content text, is_closed boolean,
  num_issues int, num_closed_issues int, completeness int, created_unix bigint, updated_unix bigint,
  deadline_unix bigint, closed_date_unix bigint);
INSERT INTO milestone (repo_id, name, content, is_closed, num_issues, num_closed_issues,
  completeness, created_unix, updated_unix, deadline_unix, closed_date_unix)
SELECT 1 + i % (2500 * :scale), 'Milestone ' || i, repeat(md5('ms' || i), 3), i % 3 = 0,
  i % 40, i % 20, i % 100, 1600000000 + i, 1600000000 + i, 1700000000 + i, 0
FROM generate_series(1, 750 * :scale) AS i;

CREATE TABLE label (
  id bigserial PRIMARY KEY, repo_id bigint, org_id bigint, name text, exclusive boolean,
  description text, color varchar(7), num_issues int, num_closed_issues int, created_unix bigint,
  updated_unix bigint);
INSERT INTO label (repo_id, org_id, name, exclusive, description, color, num_issues,
  num_closed_issues, created_unix, updated_unix)
SELECT 1 + i / 5, 0, (ARRAY['bug', 'feature', 'docs', 'question', 'wontfix'])[1 + i % 5], false,
  'Label ' || i, '#' || substr(md5('col' || i), 1, 6), i % 30, i % 10, 1600000000 + i, 1600000000 + i
FROM generate_series(0, 5 * 2500 * :scale - 1) AS i;

CREATE TABLE issue (
  id bigserial PRIMARY KEY, repo_id bigint, "index" bigint, poster_id bigint, original_author text,
  original_author_id bigint, name text, content text, milestone_id bigint, priority int,
  is_closed boolean, is_pull boolean, num_comments int, ref text, deadline_unix bigint,
  created_unix bigint, updated_unix bigint, closed_unix bigint, is_locked boolean NOT NULL DEFAULT false,
  UNIQUE (repo_id, "index"));
INSERT INTO issue (repo_id, "index", poster_id, original_author, original_author_id, name, content,
  milestone_id, priority, is_closed, is_pull, num_comments, ref, deadline_unix, created_unix,
  updated_unix, closed_unix)
SELECT r, row_number() OVER (PARTITION BY r ORDER BY i), 1 + (random() ^ 2 * (1250 * :scale - 1))::bigint,
  '', 0, 'Issue ' || i || ': ' || md5('it' || i),
  repeat('Steps to reproduce ' || md5('ic' || i) || E'\n', 1 + i % 9),
  CASE WHEN i % 4 = 0 THEN 1 + i % (750 * :scale) ELSE 0 END, 0, i % 3 <> 0, i % 4 = 0,
  (random() ^ 2 * 30)::int, '', 0, 1550000000 + i * 37, 1650000000 + i * 3,
  CASE WHEN i % 3 <> 0 THEN 1660000000 + i ELSE 0 END
FROM (SELECT i, 1 + (random() ^ 3 * (2500 * :scale - 1))::bigint AS r
      FROM generate_series(1, 10000 * :scale) AS i) AS g;

CREATE TABLE issue_label (
  id bigserial PRIMARY KEY, issue_id bigint, label_id bigint, UNIQUE (issue_id, label_id));
INSERT INTO issue_label (issue_id, label_id)
SELECT i, 1 + (i * 13) % (5 * 2500 * :scale)
FROM generate_series(1, 10000 * :scale) AS i WHERE i % 3 <> 1;

CREATE TABLE issue_user (
  id bigserial PRIMARY KEY, uid bigint, issue_id bigint, is_read boolean, is_mentioned boolean);
INSERT INTO issue_user (uid, issue_id, is_read, is_mentioned)
SELECT 1 + (random() * (1250 * :scale - 1))::bigint, 1 + i / 2, i % 3 = 0, i % 17 = 0
FROM generate_series(0, 2 * 10000 * :scale - 1) AS i;

CREATE TABLE issue_assignees (
  id bigserial PRIMARY KEY, assignee_id bigint, issue_id bigint);
INSERT INTO issue_assignees (assignee_id, issue_id)
SELECT 1 + (i * 31) % (1250 * :scale), i
FROM generate_series(1, 10000 * :scale) AS i WHERE i % 2 = 0;

CREATE TABLE issue_watch (
  id bigserial PRIMARY KEY, user_id bigint NOT NULL, issue_id bigint NOT NULL, is_watching boolean NOT NULL,
  created_unix bigint NOT NULL, updated_unix bigint NOT NULL, UNIQUE (user_id, issue_id));
INSERT INTO issue_watch (user_id, issue_id, is_watching, created_unix, updated_unix)
SELECT 1 + (i * 17) % (1250 * :scale), i, true, 1600000000 + i, 1600000000 + i
FROM generate_series(1, 3750 * :scale) AS i;

CREATE TABLE pull_request (
  id bigserial PRIMARY KEY, type int, status int, conflicted_files jsonb, commits_ahead int,
  commits_behind int, changed_protected_files jsonb, issue_id bigint, "index" bigint,
  head_repo_id bigint, base_repo_id bigint, head_branch text, base_branch text, merge_base varchar(40),
  allow_maintainer_edit boolean NOT NULL DEFAULT false, has_merged boolean, merged_commit_id varchar(40),
  merger_id bigint, merged_unix bigint, flow int NOT NULL DEFAULT 0);
INSERT INTO pull_request (type, status, conflicted_files, commits_ahead, commits_behind,
  changed_protected_files, issue_id, "index", head_repo_id, base_repo_id, head_branch, base_branch,
  merge_base, has_merged, merged_commit_id, merger_id, merged_unix)
SELECT 0, 2, '[]'::jsonb, i % 20, i % 7, '[]'::jsonb, i * 4, i, 1 + i % (2500 * :scale),
  1 + i % (2500 * :scale), 'feature/' || md5(i::text), 'main', md5('mb' || i) || '00000000',
  i % 3 = 0, md5('mc' || i) || '00000000', 1 + i % (1250 * :scale), 1660000000 + i
FROM generate_series(1, 2500 * :scale) AS i;

CREATE TABLE review (
  id bigserial PRIMARY KEY, type int, reviewer_id bigint, reviewer_team_id bigint NOT NULL DEFAULT 0,
  original_author text, original_author_id bigint, issue_id bigint, content text, official boolean NOT NULL DEFAULT false,
  commit_id varchar(40), stale boolean NOT NULL DEFAULT false, dismissed boolean NOT NULL DEFAULT false,
  created_unix bigint, updated_unix bigint);
INSERT INTO review (type, reviewer_id, original_author, original_author_id, issue_id, content,
  commit_id, created_unix, updated_unix)
SELECT 1 + i % 4, 1 + (random() * (1250 * :scale - 1))::bigint, '', 0, 4 * (1 + i % (2500 * :scale)),
  'LGTM ' || md5('rv' || i), md5('rc' || i) || '00000000', 1600000000 + i, 1600000000 + i
FROM generate_series(1, 6250 * :scale) AS i;

CREATE TABLE comment (
  id bigserial PRIMARY KEY, type int, poster_id bigint, original_author text, original_author_id bigint,
  issue_id bigint, label_id bigint, old_project_id bigint, project_id bigint, old_milestone_id bigint,
  milestone_id bigint, time_id bigint, assignee_id bigint, removed_assignee boolean,
  assignee_team_id bigint NOT NULL DEFAULT 0, resolve_doer_id bigint, old_title text, new_title text,
  old_ref text, new_ref text, dependent_issue_id bigint, commit_id bigint, line bigint,
  tree_path text, content text, patch text, created_unix bigint, updated_unix bigint,
  commit_sha varchar(40), review_id bigint, invalidated boolean, ref_repo_id bigint,
  ref_issue_id bigint, ref_comment_id bigint, ref_action smallint, ref_is_pull boolean);
INSERT INTO comment (type, poster_id, original_author, original_author_id, issue_id, label_id,
  old_project_id, project_id, old_milestone_id, milestone_id, time_id, assignee_id,
  removed_assignee, resolve_doer_id, old_title, new_title, old_ref, new_ref, dependent_issue_id,
  commit_id, line, tree_path, content, patch, created_unix, updated_unix, commit_sha, review_id,
  invalidated, ref_repo_id, ref_issue_id, ref_comment_id, ref_action, ref_is_pull)
SELECT CASE WHEN i % 10 = 0 THEN 21 ELSE 0 END, 1 + (random() ^ 2 * (1250 * :scale - 1))::bigint, '',
  0, 1 + (random() ^ 2 * (10000 * :scale - 1))::bigint, 0, 0, 0, 0, 0, 0, 0, false, 0, '', '', '', '',
  0, 0, CASE WHEN i % 10 = 0 THEN i % 400 ELSE 0 END,
  CASE WHEN i % 10 = 0 THEN 'src/pkg' || (i % 50) || '/file' || (i % 7) || '.go' ELSE '' END,
  repeat('Thanks, ' || md5('cc' || i) || E'.\n', 1 + (random() ^ 3 * 12)::int),
  CASE WHEN i % 10 = 0 THEN repeat('@@ -1,3 +1,4 @@ ' || md5('cp' || i) || E'\n', 6) ELSE '' END,
  1550000000 + i * 13, 1550000000 + i * 13, '', 0, false, 0, 0, 0, 0, false
FROM generate_series(1, 30000 * :scale) AS i;

CREATE TABLE reaction (
  id bigserial PRIMARY KEY, type text NOT NULL, issue_id bigint NOT NULL, comment_id bigint, user_id bigint NOT NULL,
  original_author_id bigint NOT NULL DEFAULT 0, original_author text, created_unix bigint);
INSERT INTO reaction (type, issue_id, comment_id, user_id, original_author, created_unix)
SELECT (ARRAY['+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes'])[1 + i % 8],
  1 + i % (10000 * :scale), 1 + (i * 7) % (30000 * :scale), 1 + (i * 11) % (1250 * :scale), '',
  1600000000 + i
FROM generate_series(1, 7500 * :scale) AS i;

CREATE TABLE stopwatch (
  id bigserial PRIMARY KEY, issue_id bigint, user_id bigint, created_unix bigint);
INSERT INTO stopwatch (issue_id, user_id, created_unix)
SELECT i * 3, 1 + i % (1250 * :scale), 1700000000 + i
FROM generate_series(1, 12 * :scale) AS i;

CREATE TABLE tracked_time (
  id bigserial PRIMARY KEY, issue_id bigint, user_id bigint, created_unix bigint, time bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false);
INSERT INTO tracked_time (issue_id, user_id, created_unix, time)
SELECT 1 + i % (10000 * :scale), 1 + i % (1250 * :scale), 1600000000 + i, 60 + i % 7200
FROM generate_series(1, 1500 * :scale) AS i;

CREATE TABLE commit_status (
  id bigserial PRIMARY KEY, "index" bigint, repo_id bigint, state varchar(7) NOT NULL, sha varchar(64) NOT NULL,
  target_url text, description text, context_hash char(40), context text, creator_id bigint,
  created_unix bigint, updated_unix bigint);
INSERT INTO commit_status ("index", repo_id, state, sha, target_url, description, context_hash,
  context, creator_id, created_unix, updated_unix)
SELECT i, 1 + (random() ^ 3 * (2500 * :scale - 1))::bigint,
  (ARRAY['pending', 'success', 'error', 'failure'])[1 + i % 4], md5('cs' || i) || '00000000',
  'https://ci.example.org/build/' || i, 'Build ' || i || ' ' || md5('cd' || i),
  md5('ch' || (i % 10)) || '00000000', 'ci/build-' || (i % 10), 1 + i % (1250 * :scale),
  1600000000 + i * 3, 1600000000 + i * 3
FROM generate_series(1, 15000 * :scale) AS i;

-- ------------------------------------------------------------------ activity, hooks, notifications
CREATE TABLE action (
  id bigserial PRIMARY KEY, user_id bigint, op_type int, act_user_id bigint, repo_id bigint,
  comment_id bigint, is_deleted boolean NOT NULL DEFAULT false, ref_name text, is_private boolean NOT NULL DEFAULT false,
  content text, created_unix bigint);
INSERT INTO action (user_id, op_type, act_user_id, repo_id, comment_id, is_deleted, ref_name,
  is_private, content, created_unix)
SELECT 1 + (random() ^ 2 * (1250 * :scale - 1))::bigint, 1 + i % 25,
  1 + (random() ^ 2 * (1250 * :scale - 1))::bigint, 1 + (random() ^ 3 * (2500 * :scale - 1))::bigint,
  CASE WHEN i % 5 = 0 THEN 1 + i % (30000 * :scale) ELSE 0 END, false, 'refs/heads/main', i % 4 = 0,
  CASE WHEN i % 3 = 0 THEN '{"Commits":[{"Sha1":"' || md5('as' || i) || '","Message":"fix ' || md5('am' || i) || '"}],"Len":1}'
    ELSE (i % 40000)::text || '|Issue title ' || substr(md5('ai' || i), 1, 12) END,
  1500000000 + i * 3
FROM generate_series(1, 62500 * :scale) AS i;

CREATE TABLE notification (
  id bigserial PRIMARY KEY, user_id bigint NOT NULL, repo_id bigint NOT NULL, status smallint NOT NULL,
  source smallint NOT NULL, issue_id bigint NOT NULL, commit_id text, comment_id bigint,
  updated_by bigint NOT NULL, created_unix bigint NOT NULL, updated_unix bigint NOT NULL);
INSERT INTO notification (user_id, repo_id, status, source, issue_id, commit_id, comment_id,
  updated_by, created_unix, updated_unix)
SELECT 1 + (random() * (1250 * :scale - 1))::bigint, 1 + i % (2500 * :scale), 1 + i % 3, 1 + i % 4,
  1 + i % (10000 * :scale), '', 1 + i % (30000 * :scale), 1 + i % (1250 * :scale),
  1600000000 + i, 1600000000 + i
FROM generate_series(1, 20000 * :scale) AS i;

CREATE TABLE webhook (
  id bigserial PRIMARY KEY, repo_id bigint, owner_id bigint, is_system_webhook boolean, url text,
  http_method text, content_type int, secret text, events jsonb, is_active boolean, type varchar(16),
  meta text, last_status int, header_authorization_encrypted text, created_unix bigint, updated_unix bigint);
INSERT INTO webhook (repo_id, owner_id, is_system_webhook, url, http_method, content_type, secret,
  events, is_active, type, meta, last_status, header_authorization_encrypted, created_unix,
  updated_unix)
SELECT i * 7, 0, false, 'https://hooks.example.org/h/' || md5('wh' || i), 'POST', 1, md5('ws' || i),
  '{"push_only":false,"send_everything":true,"choose_events":false,"branch_filter":"*"}'::jsonb,
  true, 'gitea', '', 1, '', 1600000000 + i, 1600000000 + i
FROM generate_series(1, 300 * :scale) AS i;

CREATE TABLE hook_task (
  id bigserial PRIMARY KEY, hook_id bigint, uuid uuid UNIQUE, payload_content jsonb, event_type text,
  is_delivered boolean, delivered bigint, is_succeed boolean, request_content text,
  response_content text);
INSERT INTO hook_task (hook_id, uuid, payload_content, event_type, is_delivered, delivered,
  is_succeed, request_content, response_content)
SELECT 1 + i % (300 * :scale), md5('ht' || i)::uuid,
  jsonb_build_object('ref', 'refs/heads/main', 'before', md5('hb' || i), 'after', md5('ha' || i),
    'commits', jsonb_build_array(jsonb_build_object('id', md5('hc' || i), 'message',
      repeat('change ' || md5('hm' || i) || ' ', 1 + i % 6), 'timestamp', 1600000000 + i)),
    'repository', jsonb_build_object('id', 1 + i % (2500 * :scale), 'name', 'repo' || (i % 10000))),
  'push', true, 1600000000000000000 + i, i % 20 <> 0,
  '{"Headers":{"Content-Type":"application/json","X-Gitea-Event":"push"}}',
  '{"Status":200,"Headers":{"Server":"nginx"},"Body":"ok"}'
FROM generate_series(1, 7500 * :scale) AS i;

CREATE TABLE notice (
  id bigserial PRIMARY KEY, type int, description text, created_unix bigint);
INSERT INTO notice (type, description, created_unix)
SELECT 1, 'Repository health check failed: repo' || i || ' ' || md5('nt' || i), 1600000000 + i * 60
FROM generate_series(1, 125 * :scale) AS i;

CREATE TABLE system_setting (
  id bigserial PRIMARY KEY, setting_key varchar(255) UNIQUE, setting_value text, version int,
  created_unix bigint, updated_unix bigint);
INSERT INTO system_setting (setting_key, setting_value, version, created_unix, updated_unix)
SELECT 'setting.key' || i, 'value' || i, 1, 1600000000, 1600000000
FROM generate_series(1, 40) AS i;

CREATE TABLE version (
  id bigserial PRIMARY KEY, version bigint);
INSERT INTO version (version) VALUES (261);

CREATE TABLE task (
  id bigserial PRIMARY KEY, doer_id bigint, owner_id bigint, repo_id bigint, type int, status int,
  start_time bigint, end_time bigint, payload_content text, message text, created bigint);
INSERT INTO task (doer_id, owner_id, repo_id, type, status, start_time, end_time, payload_content,
  message, created)
SELECT i, i, i * 30, 0, 4, 1600000000 + i, 1600000100 + i,
  '{"clone_addr":"https://github.com/o/r' || i || '.git","mirror":true}', '', 1600000000 + i
FROM generate_series(1, 82 * :scale) AS i;

-- ------------------------------------------------------------------ packages and actions (CI)
CREATE TABLE package (
  id bigserial PRIMARY KEY, owner_id bigint NOT NULL, repo_id bigint, type varchar(255) NOT NULL,
  name text NOT NULL, lower_name text NOT NULL, semver_compatible boolean NOT NULL DEFAULT false,
  is_internal boolean NOT NULL DEFAULT false, UNIQUE (owner_id, type, lower_name));
INSERT INTO package (owner_id, repo_id, type, name, lower_name)
SELECT 1 + i % (1250 * :scale), 0, (ARRAY['npm', 'maven', 'container', 'pypi'])[1 + i % 4],
  'pkg-' || i, 'pkg-' || i
FROM generate_series(1, 375 * :scale) AS i;

CREATE TABLE package_version (
  id bigserial PRIMARY KEY, package_id bigint NOT NULL, creator_id bigint NOT NULL DEFAULT 0,
  version text NOT NULL, lower_version text NOT NULL, created_unix bigint NOT NULL,
  is_internal boolean NOT NULL DEFAULT false, metadata_json jsonb, download_count bigint NOT NULL DEFAULT 0);
INSERT INTO package_version (package_id, creator_id, version, lower_version, created_unix,
  metadata_json, download_count)
SELECT 1 + i / 8, 1 + i % (1250 * :scale), '1.' || (i % 8) || '.0', '1.' || (i % 8) || '.0',
  1600000000 + i,
  jsonb_build_object('description', 'Package ' || (i / 8) || ' ' || md5('pv' || i), 'license', 'MIT',
    'dependencies', jsonb_build_object('dep' || (i % 13), '^1.0.0', 'dep' || (i % 17), '^2.1.0')),
  (random() * 1000)::bigint
FROM generate_series(0, 8 * 375 * :scale - 1) AS i;

CREATE TABLE package_blob (
  id bigserial PRIMARY KEY, size bigint NOT NULL DEFAULT 0, hash_md5 char(32) NOT NULL UNIQUE,
  hash_sha1 char(40) NOT NULL, hash_sha256 char(64) NOT NULL, hash_sha512 char(128) NOT NULL,
  created_unix bigint NOT NULL);
INSERT INTO package_blob (size, hash_md5, hash_sha1, hash_sha256, hash_sha512, created_unix)
SELECT (random() * 1e7)::bigint, md5('pb' || i), md5('pb1' || i) || '00000000',
  md5('pb2' || i) || md5('pb3' || i), repeat(md5('pb4' || i), 4), 1600000000 + i
FROM generate_series(1, 3000 * :scale) AS i;

CREATE TABLE package_file (
  id bigserial PRIMARY KEY, version_id bigint NOT NULL, blob_id bigint NOT NULL, name text NOT NULL,
  lower_name text NOT NULL, composite_key text, is_lead boolean NOT NULL DEFAULT false,
  created_unix bigint NOT NULL);
INSERT INTO package_file (version_id, blob_id, name, lower_name, composite_key, is_lead, created_unix)
SELECT 1 + i, 1 + i, 'pkg-' || i || '.tgz', 'pkg-' || i || '.tgz', '', true, 1600000000 + i
FROM generate_series(0, 3000 * :scale - 1) AS i;

CREATE TABLE action_run (
  id bigserial PRIMARY KEY, title text, repo_id bigint, owner_id bigint, workflow_id text, "index" bigint,
  trigger_user_id bigint, ref text, commit_sha text, event text, is_fork_pull_request boolean,
  event_payload text, status int, started bigint, stopped bigint, created bigint, updated bigint);
INSERT INTO action_run (title, repo_id, owner_id, workflow_id, "index", trigger_user_id, ref,
  commit_sha, event, is_fork_pull_request, event_payload, status, started, stopped, created, updated)
SELECT 'CI run ' || i, 1 + (random() ^ 3 * (2500 * :scale - 1))::bigint, 1 + i % (1250 * :scale),
  'ci.yaml', i, 1 + i % (1250 * :scale), 'refs/heads/main', md5('ar' || i) || '00000000', 'push', false,
  '{"ref":"refs/heads/main","after":"' || md5('ara' || i) || '","pusher":{"login":"user' || (i % 5000) || '"}}',
  1 + i % 6, 1650000000 + i * 9, 1650000300 + i * 9, 1650000000 + i * 9, 1650000300 + i * 9
FROM generate_series(1, 3750 * :scale) AS i;

CREATE TABLE action_task (
  id bigserial PRIMARY KEY, job_id bigint, attempt bigint, runner_id bigint, status int, started bigint,
  stopped bigint, repo_id bigint, owner_id bigint, commit_sha text, is_fork_pull_request boolean,
  token_hash text, token_salt text, token_last_eight text, log_filename text, log_in_storage boolean,
  log_length bigint, log_size bigint, log_indexes bytea, log_expired boolean, created bigint, updated bigint);
INSERT INTO action_task (job_id, attempt, runner_id, status, started, stopped, repo_id, owner_id,
  commit_sha, is_fork_pull_request, token_hash, token_salt, token_last_eight, log_filename,
  log_in_storage, log_length, log_size, log_indexes, log_expired, created, updated)
SELECT i, 1, 1 + i % 20, 1 + i % 6, 1650000000 + i * 4, 1650000200 + i * 4, 1 + i % (2500 * :scale),
  1 + i % (1250 * :scale), md5('at' || i) || '00000000', false, md5('ath' || i), md5('ats' || i),
  substr(md5('atl' || i), 1, 8), 'logs/' || i || '.log', true, 200 + i % 800, 20000 + i % 80000,
  decode(repeat(lpad(to_hex(i % 65536), 4, '0'), 32 + i % 64), 'hex'), false, 1650000000 + i * 4,
  1650000200 + i * 4
FROM generate_series(1, 7500 * :scale) AS i;

CREATE TABLE action_runner (
  id bigserial PRIMARY KEY, uuid char(36) UNIQUE, name varchar(255), version varchar(64), owner_id bigint,
  repo_id bigint, description text, base bigint, repo_range text, token_hash text UNIQUE, token_salt text,
  last_online bigint, last_active bigint, agent_labels jsonb, created bigint, updated bigint, deleted bigint);
INSERT INTO action_runner (uuid, name, version, owner_id, repo_id, description, base, repo_range,
  token_hash, token_salt, last_online, last_active, agent_labels, created, updated, deleted)
SELECT md5('rr' || i)::uuid::text, 'runner-' || i, 'v0.2.6', 0, 0, '', 0, '', md5('rth' || i),
  md5('rts' || i), 1700000000 + i, 1700000000 + i, '["ubuntu-latest","docker"]'::jsonb,
  1600000000 + i, 1700000000 + i, NULL
FROM generate_series(1, 20) AS i;

-- ------------------------------------------------------------------ secondary indexes
CREATE INDEX "IDX_action_r_u_d" ON action (repo_id, user_id, is_deleted);
CREATE INDEX "IDX_action_au_r_c_u_d" ON action (act_user_id, repo_id, created_unix, user_id, is_deleted);
CREATE INDEX "IDX_action_c_u_d" ON action (created_unix, user_id, is_deleted);
CREATE INDEX "IDX_action_comment_id" ON action (comment_id);
CREATE INDEX "IDX_comment_issue_id" ON comment (issue_id);
CREATE INDEX "IDX_comment_poster_id" ON comment (poster_id);
CREATE INDEX "IDX_comment_created_unix" ON comment (created_unix);
CREATE INDEX "IDX_comment_type" ON comment (type);
CREATE INDEX "IDX_issue_poster_id" ON issue (poster_id);
CREATE INDEX "IDX_issue_milestone_id" ON issue (milestone_id);
CREATE INDEX "IDX_issue_is_closed" ON issue (is_closed);
CREATE INDEX "IDX_issue_updated_unix" ON issue (updated_unix);
CREATE INDEX "IDX_issue_created_unix" ON issue (created_unix);
CREATE UNIQUE INDEX "UQE_repository_s" ON repository (owner_id, lower_name);
CREATE INDEX "IDX_repository_lower_name" ON repository (lower_name);
CREATE INDEX "IDX_repository_updated_unix" ON repository (updated_unix);
CREATE INDEX "IDX_repository_is_private" ON repository (is_private);
CREATE UNIQUE INDEX "UQE_user_lower_name" ON "user" (lower_name);
CREATE UNIQUE INDEX "UQE_user_name" ON "user" (name);
CREATE INDEX "IDX_user_is_active" ON "user" (is_active);
CREATE INDEX "IDX_email_address_uid" ON email_address (uid);
CREATE UNIQUE INDEX "UQE_email_address_lower_email" ON email_address (lower_email);
CREATE INDEX "IDX_follow_follow" ON follow (user_id, follow_id);
CREATE INDEX "IDX_star_s" ON star (uid, repo_id);
CREATE INDEX "IDX_watch_watch" ON watch (user_id, repo_id);
CREATE INDEX "IDX_notification_u_s_uu" ON notification (user_id, status, updated_unix);
CREATE INDEX "IDX_notification_repo_id" ON notification (repo_id);
CREATE INDEX "IDX_notification_issue_id" ON notification (issue_id);
CREATE INDEX "IDX_hook_task_hook_id" ON hook_task (hook_id);
CREATE INDEX "IDX_commit_status_repo_sha_index" ON commit_status (repo_id, sha, "index");
CREATE INDEX "IDX_commit_status_context_hash" ON commit_status (context_hash);
CREATE INDEX "IDX_branch_repo_id_name" ON branch (repo_id, name);
CREATE INDEX "IDX_release_repo_id" ON release (repo_id);
CREATE INDEX "IDX_release_tag_name" ON release (tag_name);
CREATE INDEX "IDX_attachment_issue_id" ON attachment (issue_id);
CREATE INDEX "IDX_attachment_release_id" ON attachment (release_id);
CREATE INDEX "IDX_reaction_issue_id" ON reaction (issue_id);
CREATE INDEX "IDX_reaction_comment_id" ON reaction (comment_id);
CREATE INDEX "IDX_review_issue_id" ON review (issue_id);
CREATE INDEX "IDX_issue_user_uid" ON issue_user (uid);
CREATE INDEX "IDX_issue_assignees_issue_id" ON issue_assignees (issue_id);
CREATE INDEX "IDX_pull_request_issue_id" ON pull_request (issue_id);
CREATE INDEX "IDX_pull_request_base_repo_id" ON pull_request (base_repo_id);
CREATE INDEX "IDX_session_expiry" ON session (expiry);
CREATE INDEX "IDX_label_repo_id" ON label (repo_id);
CREATE INDEX "IDX_milestone_repo_id" ON milestone (repo_id);
CREATE INDEX "IDX_repo_unit_s" ON repo_unit (repo_id, type);
CREATE INDEX "IDX_language_stat_repo_id" ON language_stat (repo_id);
CREATE INDEX "IDX_package_version_package_id" ON package_version (package_id);
CREATE INDEX "IDX_package_file_version_id" ON package_file (version_id);
CREATE INDEX "IDX_action_run_repo_id" ON action_run (repo_id);
CREATE INDEX "IDX_action_task_repo_id" ON action_task (repo_id);
CREATE INDEX "IDX_access_token_uid" ON access_token (uid);
CREATE INDEX "IDX_tracked_time_issue_id" ON tracked_time (issue_id);

VACUUM ANALYZE;
SELECT count(*) AS tables, pg_size_pretty(pg_database_size(current_database())) AS size
FROM pg_tables WHERE schemaname = 'public';
