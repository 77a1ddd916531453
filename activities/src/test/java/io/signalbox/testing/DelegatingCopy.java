package io.signalbox.testing;

import io.signalbox.workflows.copy.CopyActivities;
import java.util.function.Supplier;

/**
 * Copy activities registered once with a test's worker that pass every call to the copy the test
 * names at the time of the call: the real one, or a test's override of it for fault injection.
 */
public class DelegatingCopy implements CopyActivities {
  private final Supplier<CopyActivities> target;

  /**
   * @param target the copy each call goes to, asked at every call
   */
  public DelegatingCopy(Supplier<CopyActivities> target) {
    this.target = target;
  }

  @Override
  public ToolsReport checkTools(CheckToolsRequest request) {
    return target.get().checkTools(request);
  }

  @Override
  public DumpResult dump(DumpRequest request) {
    return target.get().dump(request);
  }

  @Override
  public RestoreResult restore(RestoreRequest request) {
    return target.get().restore(request);
  }

  @Override
  public VerificationReport verify(VerifyRequest request) {
    return target.get().verify(request);
  }
}
