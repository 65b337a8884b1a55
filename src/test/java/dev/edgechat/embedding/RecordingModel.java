package dev.edgechat.embedding;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** Passes calls to a real model and remembers the texts of each, at the moment it is called. */
final class RecordingModel implements EmbeddingModel {

  private final EmbeddingModel model;
  private final List<List<String>> calls = new ArrayList<>();

  RecordingModel(EmbeddingModel model) {
    this.model = model;
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public int dimensions() {
    return model.dimensions();
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    synchronized (this) {
      calls.add(List.copyOf(texts));
    }
    return model.embed(texts);
  }

  /** The texts of every call so far, oldest first. */
  synchronized List<List<String>> calls() {
    return List.copyOf(calls);
  }
}
