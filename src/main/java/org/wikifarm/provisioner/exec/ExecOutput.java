package org.wikifarm.provisioner.exec;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The attached output of one Docker exec: frames → lines, stdout and stderr split separately. */
final class ExecOutput extends ResultCallback.Adapter<Frame> {
  private final LineSplitter stdout;
  private final LineSplitter stderr;
  /** Our own end signal: docker-java's timed awaitCompletion closes the stream when it times out. */
  private final CountDownLatch ended = new CountDownLatch(1);

  ExecOutput(OutputTail tail) {
    this.stdout = new LineSplitter(tail);
    this.stderr = new LineSplitter(tail);
  }

  @Override
  public void onNext(Frame frame) {
    byte[] payload = frame.getPayload();
    if (payload != null) {
      (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).accept(payload, 0, payload.length);
    }
  }

  @Override
  public void onComplete() {
    super.onComplete();
    ended.countDown();
  }

  @Override
  public void onError(Throwable throwable) {
    super.onError(throwable);
    ended.countDown();
  }

  /** Waits up to {@code nanos} for the output to end, leaving the stream open; rethrows the stream's error. */
  boolean awaitEnd(long nanos) throws InterruptedException {
    boolean done = ended.await(nanos, TimeUnit.NANOSECONDS);
    if (done) {
      throwFirstError();
    }
    return done;
  }

  /** Emits unterminated last lines; only after the stream completed. */
  void finish() {
    stdout.finish();
    stderr.finish();
  }

  void closeQuietly() {
    try {
      close();
    } catch (IOException ignored) {
      // the stream is being abandoned anyway
    }
  }
}
