package dev.edgechat.topology;

/** A part of the topology did not start or stop; the message names the part and, where there is one, its log. */
public final class TopologyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TopologyException(String message) {
    super(message);
  }

  public TopologyException(String message, Throwable cause) {
    super(message, cause);
  }
}
