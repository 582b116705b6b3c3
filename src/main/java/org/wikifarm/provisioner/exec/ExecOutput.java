package org.wikifarm.provisioner.exec;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.IOException;

/** The attached output of one Docker exec: frames → lines, stdout and stderr split separately. */
final class ExecOutput extends ResultCallback.Adapter<Frame> {
  private final LineSplitter stdout;
  private final LineSplitter stderr;

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
