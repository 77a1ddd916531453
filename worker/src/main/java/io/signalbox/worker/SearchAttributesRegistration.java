package io.signalbox.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.signalbox.workflows.core.RunSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At worker start-up: finds which of Signalbox's search attributes ({@link RunSearchAttributes})
 * the Temporal server has, registers the missing ones where allowed (the dev server, a local
 * server), and otherwise logs one line naming them with the {@code temporal} command that registers
 * them. Runs ask the answer once each ({@code registeredSearchAttributes}) and upsert only where
 * all are registered, so a server without them never stalls a run.
 */
public final class SearchAttributesRegistration {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributesRegistration.class);
  private static final long TIMEOUT_SECONDS = 10;

  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final boolean allowed;
  private volatile Set<String> registered = Set.of();

  /**
   * @param stubs the worker's connection to the frontend
   * @param namespace the namespace the worker serves
   * @param allowed whether it may register what is missing
   */
  public SearchAttributesRegistration(
      WorkflowServiceStubs stubs, String namespace, boolean allowed) {
    this.stubs = stubs;
    this.namespace = namespace;
    this.allowed = allowed;
  }

  /** The search attributes the server has, as the last {@link #check()} found them. */
  public Set<String> registered() {
    return registered;
  }

  /**
   * Finds and, where allowed, registers the search attributes; never throws.
   *
   * @return the names the server has
   */
  public Set<String> check() {
    List<String> wanted = RunSearchAttributes.names();
    OperatorServiceStubs operator = null;
    try {
      operator =
          OperatorServiceStubs.newServiceStubs(
              OperatorServiceStubsOptions.newBuilder(stubs.getOptions()).build());
      Set<String> known = list(operator);
      Set<String> missing = new LinkedHashSet<>(wanted);
      if (known != null) {
        missing.removeAll(known);
      }
      if (missing.isEmpty()) {
        registered = Set.copyOf(wanted);
        log.info("search attributes {} are registered", wanted);
        return registered;
      }
      if (!allowed) {
        explain(missing, "signalbox.search-attributes.register is false");
        return registered;
      }
      add(operator, missing, known == null);
      Set<String> after = known == null ? Set.copyOf(wanted) : list(operator);
      registered = after == null ? Set.of() : Set.copyOf(after);
      if (registered.containsAll(wanted)) {
        log.info("registered search attributes {} in namespace {}", missing, namespace);
      } else {
        explain(missing, "the server did not list them after registering");
      }
    } catch (RuntimeException e) {
      registered = Set.of();
      explain(new LinkedHashSet<>(wanted), "the server refused: " + e.getMessage());
    } finally {
      if (operator != null) {
        operator.shutdownNow();
      }
    }
    return registered;
  }

  /** The names the server lists, or null where it cannot list them (the dev server). */
  private Set<String> list(OperatorServiceStubs operator) {
    try {
      var response =
          blocking(operator)
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
      Set<String> names = new LinkedHashSet<>(response.getCustomAttributesMap().keySet());
      names.addAll(response.getSystemAttributesMap().keySet());
      return names;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return null;
      }
      throw e;
    }
  }

  /**
   * Adds them as keywords. Where the server cannot list (the dev server), one at a time, and one
   * that already exists counts as registered.
   */
  private void add(OperatorServiceStubs operator, Set<String> missing, boolean oneByOne) {
    List<Set<String>> batches =
        oneByOne ? missing.stream().map(Set::of).toList() : List.of(missing);
    for (Set<String> batch : batches) {
      AddSearchAttributesRequest.Builder request =
          AddSearchAttributesRequest.newBuilder().setNamespace(namespace);
      batch.forEach(
          name -> request.putSearchAttributes(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
      try {
        blocking(operator).addSearchAttributes(request.build());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS
            && !String.valueOf(e.getStatus().getDescription()).contains("already exists")) {
          throw e;
        }
      }
    }
  }

  private static OperatorServiceGrpc.OperatorServiceBlockingStub blocking(
      OperatorServiceStubs operator) {
    return operator.blockingStub().withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** The one line an operator needs: which are missing, and the command that registers them. */
  private void explain(Set<String> missing, String why) {
    StringBuilder command =
        new StringBuilder("temporal operator search-attribute create --namespace ")
            .append(namespace);
    missing.forEach(name -> command.append(" --name ").append(name).append(" --type Keyword"));
    log.warn(
        "search attributes {} are not registered ({}): runs do not show them in the UI's run list"
            + " and `signalbox list` asks each run instead; register them with `{}` and restart"
            + " the worker",
        missing,
        why,
        command);
  }
}
