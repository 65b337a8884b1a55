package dev.edgechat.ops;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code model} label of a metric, bounded like {@link SiteTags}: the gateway's callers name
 * the model in each request, so a caller could otherwise make up a new series with every request.
 * A model gets a label of its own once an upstream has answered it ({@link #admit}), for the
 * first {@link #MAX_MODELS} distinct models a process sees; every later one, and any model no
 * upstream answered yet (a failed call naming a made-up model), is counted as {@value #OTHER}.
 */
public final class ModelTags {

  /** Most distinct model labels one process exposes. */
  public static final int MAX_MODELS = 50;

  /** The label of a model past the cap, or never answered. */
  public static final String OTHER = "other";

  private final Set<String> labelled = ConcurrentHashMap.newKeySet();

  /** The label of {@code model}, which an upstream answered: itself while there is room (or it has one), else other. */
  public String admit(String model) {
    Objects.requireNonNull(model);
    if (labelled.contains(model)) {
      return model;
    }
    synchronized (this) {
      if (labelled.size() < MAX_MODELS) {
        labelled.add(model);
        return model;
      }
    }
    return labelled.contains(model) ? model : OTHER;
  }

  /** The label of {@code model} if it has one already, else {@value #OTHER}; admits nothing. */
  public String of(String model) {
    return model != null && labelled.contains(model) ? model : OTHER;
  }
}
