#!/bin/sh
# Registers the namespace Signalbox uses, once the Temporal frontend answers.
set -eu
ns="${DEFAULT_NAMESPACE:-default}"
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo "waiting for Temporal at $TEMPORAL_ADDRESS ..."
  sleep 2
done
temporal operator namespace describe -n "$ns" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create -n "$ns" --retention "${NAMESPACE_RETENTION:-720h}" \
       --address "$TEMPORAL_ADDRESS"
echo "namespace $ns is ready"
