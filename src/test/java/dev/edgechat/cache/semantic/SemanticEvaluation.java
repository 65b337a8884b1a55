package dev.edgechat.cache.semantic;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The semantic matcher's evaluation harness, for any labeled pair file ({@code label \t question_a
 * \t question_b \t kind [\t domain]}, {@code #} comments, {@code # block: NAME} naming the domain of
 * the lines below it in files without a domain column). It embeds every question with a real model,
 * reads the {@link MatchSignals} of each pair, and:
 * <ul>
 *   <li>cross-validates the {@link LearnedDecision} on the development files by domain (each domain's
 *       pairs scored by weights fitted on the other domains), prints the precision/recall curve of
 *       those out-of-fold scores, and, nested, how well the tolerated share of wrong hits is held
 *       when its threshold too is chosen without the domain (per share, with Wilson 95 % intervals);
 *   <li>prints, for comparison, the hand-set rule of {@link SemanticMatcher#matches(float[], String,
 *       float[], String)} (cosine ≥ 0.58, the guard's verdict, a doubt overruled from cosine 0.79);
 *   <li>with {@code --write FILE}, fits the weights on all development pairs and writes the decision
 *       file (weights and the cross-validated curve) the edge ships;
 *   <li>with {@code --eval FILES}, measures the decision (fitted, or the shipped one with {@code
 *       --shipped}) on those files: precision and recall with Wilson 95 % intervals, errors per kind
 *       and domain. {@code --quiet-eval} prints no pair's text from them (a held-out set is not
 *       read).
 * </ul>
 * Run it with the test class path; the exact command is in docs/answer-cache.md.
 */
final class SemanticEvaluation {

  static final double Z95 = 1.959964;
  /** The hand-set rule without a bound, for comparison. */
  private static final double OLD_THRESHOLD = 0.58;
  private static final double OLD_REWORDED = 0.79;
  /** L2 penalty of the fit (bias aside): keeps weights finite where a signal separates the fold perfectly. */
  private static final double RIDGE = 1.0;
  static final double[] SHARES = {0.01, 0.02, 0.03, 0.05, 0.08, 0.10, 0.11, 0.12, 0.15};

  record Pair(boolean same, String question, String candidate, String kind, String domain) {
  }

  record Scored(Pair pair, float[] questionVector, float[] candidateVector, double cosine, MatchSignals signals) {
  }

  /** Hits and misses at one decision. */
  record Counts(int truePositives, int falsePositives, int positives) {

    double precision() {
      int hits = truePositives + falsePositives;
      return hits == 0 ? 1.0 : (double) truePositives / hits;
    }

    double recall() {
      return positives == 0 ? 0.0 : (double) truePositives / positives;
    }

    double[] precisionInterval() {
      return wilson(truePositives, truePositives + falsePositives);
    }

    double[] recallInterval() {
      return wilson(truePositives, positives);
    }

    String describe() {
      double[] p = precisionInterval();
      double[] r = recallInterval();
      return String.format(Locale.ROOT, "P %.3f [%.3f, %.3f] R %.3f [%.3f, %.3f] (%d true, %d false hits of %d same)",
          precision(), p[0], p[1], recall(), r[0], r[1], truePositives, falsePositives, positives);
    }
  }

  private SemanticEvaluation() {
  }

  // --- pairs ---------------------------------------------------------------------------------------

  static List<Pair> load(String name, String text) {
    List<Pair> pairs = new ArrayList<>();
    String block = name;
    int number = 0;
    for (String line : text.split("\n")) {
      number++;
      String stripped = line.strip();
      if (stripped.startsWith("# block:")) {
        block = stripped.substring("# block:".length()).strip().split("\\s")[0];
      }
      if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith("label\t")) {
        continue;
      }
      String[] columns = line.split("\t");
      if (columns.length < 4 || !(columns[0].equals("same") || columns[0].equals("different"))) {
        throw new IllegalArgumentException(name + " line " + number + ": expected label, two questions, kind: " + line);
      }
      String domain = columns.length >= 5 && !columns[4].isBlank() ? columns[4].strip() : block;
      pairs.add(new Pair(columns[0].equals("same"), columns[1].strip(), columns[2].strip(), columns[3].strip(), domain));
    }
    return pairs;
  }

  static List<Pair> loadResource(String resource, String name) throws IOException {
    try (InputStream in = SemanticEvaluation.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is missing from the class path");
      }
      return load(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  static List<Pair> loadFile(Path file) throws IOException {
    String name = file.getFileName().toString().replaceFirst("\\.tsv$", "");
    return load(name, Files.readString(file));
  }

  /** Embeds each distinct question once with {@code model} and reads every pair's signals. */
  static List<Scored> score(List<Pair> pairs, Function<String, float[]> model, MeaningGuard guard, PrintStream out) {
    Set<String> questions = new LinkedHashSet<>();
    for (Pair pair : pairs) {
      questions.add(pair.question());
      questions.add(pair.candidate());
    }
    Map<String, float[]> vectors = new HashMap<>();
    long[] nanos = new long[questions.size()];
    int i = 0;
    for (String question : questions) {
      long start = System.nanoTime();
      vectors.put(question, model.apply(ChatShorthand.expand(question)));
      nanos[i++] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    if (nanos.length > 0 && out != null) {
      out.printf(Locale.ROOT, "embedded %d questions: median %.2f ms, p99 %.2f ms each%n", nanos.length,
          nanos[nanos.length / 2] / 1e6, nanos[(int) Math.min(nanos.length - 1, Math.ceil(nanos.length * 0.99) - 1)] / 1e6);
    }
    List<Scored> scored = new ArrayList<>(pairs.size());
    for (Pair pair : pairs) {
      float[] q = vectors.get(pair.question());
      float[] c = vectors.get(pair.candidate());
      double cosine = SemanticMatcher.cosine(q, c);
      scored.add(new Scored(pair, q, c, cosine, MatchSignals.of(cosine, pair.question(), pair.candidate(), guard)));
    }
    return scored;
  }

  // --- the fit ------------------------------------------------------------------------------------

  /**
   * Logistic regression by Newton's method with an L2 penalty ({@link #RIDGE}, bias aside), on the
   * pairs at least {@code floor} close by cosine (the only ones the edge asks the decision about).
   */
  static double[] fit(List<Scored> pairs, double floor) {
    int k = MatchSignals.NAMES.size();
    double[] w = new double[k];
    List<Scored> training = pairs.stream().filter(p -> p.cosine() >= floor && !vetoed(p)).toList();
    for (int iteration = 0; iteration < 50; iteration++) {
      double[] gradient = new double[k];
      double[][] hessian = new double[k][k];
      for (Scored pair : training) {
        double[] x = pair.signals().values();
        double p = sigmoid(dot(w, x));
        double y = pair.pair().same() ? 1 : 0;
        double s = p * (1 - p);
        for (int a = 0; a < k; a++) {
          gradient[a] += (p - y) * x[a];
          for (int b = 0; b < k; b++) {
            hessian[a][b] += s * x[a] * x[b];
          }
        }
      }
      for (int a = 1; a < k; a++) {
        gradient[a] += RIDGE * w[a];
        hessian[a][a] += RIDGE;
      }
      hessian[0][0] += 1e-9;
      double[] step = solve(hessian, gradient);
      double size = 0;
      for (int a = 0; a < k; a++) {
        w[a] -= step[a];
        size = Math.max(size, Math.abs(step[a]));
      }
      if (size < 1e-8) {
        break;
      }
    }
    return w;
  }

  static double scoreWith(double[] w, Scored pair, double floor) {
    return pair.cosine() < floor || vetoed(pair) ? 0 : sigmoid(dot(w, pair.signals().values()));
  }

  static boolean vetoed(Scored pair) {
    return pair.signals().vetoed();
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static double dot(double[] w, double[] x) {
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      sum += w[i] * x[i];
    }
    return sum;
  }

  /** Gaussian elimination with partial pivoting: solves a x = b. */
  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = Arrays.copyOf(a[i], n + 1);
      m[i][n] = b[i];
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int row = col + 1; row < n; row++) {
        if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
          pivot = row;
        }
      }
      double[] swap = m[col];
      m[col] = m[pivot];
      m[pivot] = swap;
      for (int row = col + 1; row < n; row++) {
        double factor = m[row][col] / m[col][col];
        for (int c = col; c <= n; c++) {
          m[row][c] -= factor * m[col][c];
        }
      }
    }
    double[] x = new double[n];
    for (int row = n - 1; row >= 0; row--) {
      double sum = m[row][n];
      for (int c = row + 1; c < n; c++) {
        sum -= m[row][c] * x[c];
      }
      x[row] = sum / m[row][row];
    }
    return x;
  }

  // --- cross-validation ------------------------------------------------------------------------------

  /** Each pair's score by weights fitted on the pairs of every other domain. */
  static double[] outOfFold(List<Scored> pairs, double floor) {
    double[] scores = new double[pairs.size()];
    for (String domain : domains(pairs)) {
      List<Scored> training = pairs.stream().filter(p -> !p.pair().domain().equals(domain)).toList();
      double[] w = fit(training, floor);
      for (int i = 0; i < pairs.size(); i++) {
        if (pairs.get(i).pair().domain().equals(domain)) {
          scores[i] = scoreWith(w, pairs.get(i), floor);
        }
      }
    }
    return scores;
  }

  static Set<String> domains(List<Scored> pairs) {
    Set<String> domains = new TreeSet<>();
    pairs.forEach(p -> domains.add(p.pair().domain()));
    return domains;
  }

  /** The curve of {@code scores}: at each step 0.01 … 0.99, the precision and recall from there up. */
  static List<LearnedDecision.CurvePoint> curve(List<Scored> pairs, double[] scores) {
    List<LearnedDecision.CurvePoint> curve = new ArrayList<>();
    for (int step = 1; step <= 99; step++) {
      Counts counts = countAt(pairs, scores, step / 100.0);
      curve.add(new LearnedDecision.CurvePoint(step / 100.0, counts.precision(), counts.recall()));
    }
    return curve;
  }

  static Counts countAt(List<Scored> pairs, double[] scores, double threshold) {
    int tp = 0;
    int fp = 0;
    int positives = 0;
    for (int i = 0; i < pairs.size(); i++) {
      boolean same = pairs.get(i).pair().same();
      positives += same ? 1 : 0;
      if (scores[i] >= threshold) {
        tp += same ? 1 : 0;
        fp += same ? 0 : 1;
      }
    }
    return new Counts(tp, fp, positives);
  }

  /**
   * Nested cross-validation of the error bound: for each domain, weights and the share's threshold
   * are both chosen on the other domains (the threshold from their own leave-one-domain-out curve),
   * then that domain is scored; the counts add up over domains.
   */
  static Counts nested(List<Scored> pairs, double floor, double share) {
    return nested(pairs, floor, new double[] {share}).get(0);
  }

  static List<Counts> nested(List<Scored> pairs, double floor, double[] shares) {
    int[] tp = new int[shares.length];
    int[] fp = new int[shares.length];
    int positives = 0;
    for (String domain : domains(pairs)) {
      List<Scored> training = pairs.stream().filter(p -> !p.pair().domain().equals(domain)).toList();
      List<Scored> test = pairs.stream().filter(p -> p.pair().domain().equals(domain)).toList();
      LearnedDecision inner = new LearnedDecision("cv", fit(training, floor), curve(training, outOfFold(training, floor)));
      double[] w = inner.weights();
      for (Scored pair : test) {
        positives += pair.pair().same() ? 1 : 0;
        double score = scoreWith(w, pair, floor);
        for (int s = 0; s < shares.length; s++) {
          if (score >= inner.scoreThreshold(shares[s])) {
            tp[s] += pair.pair().same() ? 1 : 0;
            fp[s] += pair.pair().same() ? 0 : 1;
          }
        }
      }
    }
    List<Counts> counts = new ArrayList<>();
    for (int s = 0; s < shares.length; s++) {
      counts.add(new Counts(tp[s], fp[s], positives));
    }
    return counts;
  }

  /** The rule without a bound (4-arg matches): cosine ≥ 0.58 and the guard agrees, or only doubts from cosine 0.79. */
  static double[] oldRule(List<Scored> pairs) {
    double[] scores = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      Scored pair = pairs.get(i);
      MeaningGuard.Verdict verdict = pair.signals().verdict();
      boolean hit = pair.cosine() >= OLD_THRESHOLD
          && (verdict.sameMeaning() || verdict.doubtOnly() && pair.cosine() >= OLD_REWORDED);
      scores[i] = hit ? 1 : 0;
    }
    return scores;
  }

  /** Wilson score interval at 95 % for {@code successes} of {@code n}. */
  static double[] wilson(int successes, int n) {
    if (n == 0) {
      return new double[] {0, 1};
    }
    double p = (double) successes / n;
    double z2 = Z95 * Z95;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }

  // --- reports -------------------------------------------------------------------------------------

  static void printCurve(PrintStream out, String title, List<Scored> pairs, double[] scores) {
    out.println(title);
    out.println("  score   P      R      hits false");
    for (int step = 5; step <= 95; step += 5) {
      Counts c = countAt(pairs, scores, step / 100.0);
      out.printf(Locale.ROOT, "  %.2f    %.3f  %.3f  %4d %4d%n", step / 100.0, c.precision(), c.recall(),
          c.truePositives() + c.falsePositives(), c.falsePositives());
    }
  }

  static void printErrors(PrintStream out, List<Scored> pairs, double[] scores, double threshold, boolean texts) {
    Map<String, int[]> byKind = new TreeMap<>();
    Map<String, int[]> byDomain = new TreeMap<>();
    List<String> mistakes = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      Pair pair = pairs.get(i).pair();
      boolean hit = scores[i] >= threshold;
      for (int[] counts : List.of(byKind.computeIfAbsent(pair.kind(), x -> new int[5]),
          byDomain.computeIfAbsent(pair.domain(), x -> new int[5]))) {
        counts[0]++;
        counts[1] += pair.same() ? 1 : 0;
        counts[2] += hit && pair.same() ? 1 : 0;
        counts[3] += hit && !pair.same() ? 1 : 0;
        counts[4] += !hit && pair.same() ? 1 : 0;
      }
      if (texts && hit != pair.same()) {
        mistakes.add(String.format(Locale.ROOT, "  %s %.3f cos %.3f [%s/%s] %s | %s | %s",
            pair.same() ? "missed" : "FALSE HIT", scores[i], pairs.get(i).cosine(), pair.domain(), pair.kind(),
            pair.question(), pair.candidate(), pairs.get(i).signals().verdict().reason()));
      }
    }
    out.println("  by kind: pairs, same, true hits, false hits, missed");
    byKind.forEach((k, c) -> out.printf(Locale.ROOT, "    %-22s %4d %4d %4d %4d %4d%n", k, c[0], c[1], c[2], c[3], c[4]));
    out.println("  by domain: pairs, same, true hits, false hits, missed, precision, recall");
    byDomain.forEach((k, c) -> out.printf(Locale.ROOT, "    %-22s %4d %4d %4d %4d %4d  %.3f %.3f%n", k, c[0], c[1],
        c[2], c[3], c[4], c[2] + c[3] == 0 ? 1.0 : (double) c[2] / (c[2] + c[3]), c[1] == 0 ? 0 : (double) c[2] / c[1]));
    if (texts) {
      out.println("  mistakes:");
      mistakes.forEach(out::println);
    }
  }

  static String decisionFile(String model, double[] w, List<LearnedDecision.CurvePoint> curve, String provenance) {
    StringBuilder text = new StringBuilder();
    text.append("# The semantic matcher's learned decision (LearnedDecision): written by SemanticEvaluation --write,\n")
        .append("# never by hand; the command is in docs/answer-cache.md.\n")
        .append("# ").append(provenance).append('\n')
        .append("model ").append(model).append('\n')
        .append("# weights of a logistic regression over MatchSignals (score = sigmoid(sum of weight * signal))\n");
    for (int i = 0; i < w.length; i++) {
      text.append(String.format(Locale.ROOT, "weight %s %.6f%n", MatchSignals.NAMES.get(i), w[i]));
    }
    text.append("# curve SCORE PRECISION RECALL: from SCORE up, over the development pairs, each scored by weights\n")
        .append("# fitted without its domain (leave-one-domain-out)\n");
    for (LearnedDecision.CurvePoint point : curve) {
      text.append(String.format(Locale.ROOT, "curve %.2f %.4f %.4f%n", point.score(), point.precision(), point.recall()));
    }
    return text.toString();
  }

  // --- command line --------------------------------------------------------------------------------

  /**
   * {@code SemanticEvaluation [--model minilm|bge|e5] --dev FILE,... [--eval FILE,...] [--quiet-eval]
   * [--shipped] [--floor 0.58] [--write FILE]}.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    Set<String> flags = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      if (Set.of("--quiet-eval", "--shipped", "--no-nested").contains(args[i])) {
        flags.add(args[i]);
      } else {
        options.put(args[i], args[++i]);
      }
    }
    String modelName = options.getOrDefault("--model", "minilm");
    double floor = Double.parseDouble(options.getOrDefault("--floor", String.valueOf(SemanticMatcher.DEFAULT_THRESHOLD)));
    PrintStream out = System.out;
    Vertx vertx = Vertx.vertx();
    try {
      Function<String, float[]> model = EvaluationModels.load(modelName, vertx);
      if (options.containsKey("--cache")) {
        model = cached(model, Path.of(options.get("--cache")));
      }
      MeaningGuard guard = new MeaningGuard();
      List<Pair> devPairs = new ArrayList<>();
      for (String file : split(options.get("--dev"))) {
        devPairs.addAll(loadFile(Path.of(file)));
      }
      out.printf(Locale.ROOT, "model %s, cosine floor %.2f%n", EvaluationModels.fullName(modelName), floor);
      double[] weights = null;
      LearnedDecision fresh = null;
      if (!devPairs.isEmpty()) {
        List<Scored> dev = score(devPairs, model, guard, out);
        drop(dev, split(options.get("--drop")));
        out.printf(Locale.ROOT, "development: %d pairs (%d same), %d domains%n", dev.size(),
            dev.stream().filter(p -> p.pair().same()).count(), domains(dev).size());
        double[] oof = outOfFold(dev, floor);
        double[] old = oldRule(dev);
        out.println("rule without a bound (4-arg matches: 0.58, reworded 0.79): " + countAt(dev, old, 0.5).describe());
        printCurve(out, "leave-one-domain-out curve of the learned decision:", dev, oof);
        LearnedDecision cv = new LearnedDecision("cv", fit(dev, floor), curve(dev, oof));
        for (double share : SHARES) {
          double t = cv.scoreThreshold(share);
          out.printf(Locale.ROOT, "  share %.2f -> score %.2f: out-of-fold %s%n", share, t, countAt(dev, oof, t).describe());
        }
        if (!flags.contains("--no-nested")) {
          List<Counts> nested = nested(dev, floor, SHARES);
          out.println("nested (threshold too chosen without the domain):");
          for (int s = 0; s < SHARES.length; s++) {
            out.printf(Locale.ROOT, "  share %.2f: %s%n", SHARES[s], nested.get(s).describe());
          }
        }
        double operating = cv.scoreThreshold(SemanticMatcher.DEFAULT_MAX_WRONG_SHARE);
        out.printf(Locale.ROOT, "out-of-fold errors at share %.2f (score %.2f):%n", SemanticMatcher.DEFAULT_MAX_WRONG_SHARE,
            operating);
        printErrors(out, dev, oof, operating, true);
        out.println("rule without a bound, errors:");
        printErrors(out, dev, old, 0.5, true);
        weights = fit(dev, floor);
        fresh = new LearnedDecision(EvaluationModels.fullName(modelName), weights, curve(dev, oof));
        out.print("weights fitted on all development pairs:");
        for (int i = 0; i < weights.length; i++) {
          out.printf(Locale.ROOT, " %s %.3f", MatchSignals.NAMES.get(i), weights[i]);
        }
        out.println();
        if (options.containsKey("--write")) {
          String provenance = String.format(Locale.ROOT, "fitted on %d development pairs of %d domains (%s), cosine floor %.2f",
              dev.size(), domains(dev).size(), String.join(", ", split(options.get("--dev")).stream()
                  .map(f -> Path.of(f).getFileName().toString()).toList()), floor);
          Files.writeString(Path.of(options.get("--write")),
              decisionFile(EvaluationModels.fullName(modelName), weights, curve(dev, oof), provenance));
          out.println("wrote " + options.get("--write"));
        }
      }
      for (String file : split(options.get("--eval"))) {
        List<Scored> eval = score(loadFile(Path.of(file)), model, guard, out);
        // the shares map to scores by the decision's own curve: the shipped one's, or the one just fitted
        // with its leave-one-domain-out curve (what --write would ship), so a new design is measured as it would run
        boolean shipped = flags.contains("--shipped") || fresh == null;
        LearnedDecision decision = shipped ? LearnedDecision.shared() : fresh;
        double[] scores = new double[eval.size()];
        for (int i = 0; i < eval.size(); i++) {
          scores[i] = scoreWith(decision.weights(), eval.get(i), floor);
        }
        out.printf(Locale.ROOT, "%s: %d pairs (%d same), %d domains, %s decision%n", file, eval.size(),
            eval.stream().filter(p -> p.pair().same()).count(), domains(eval).size(), shipped ? "shipped" : "freshly fitted");
        out.println("  rule without a bound (4-arg matches): " + countAt(eval, oldRule(eval), 0.5).describe());
        for (double share : SHARES) {
          double t = decision.scoreThreshold(share);
          out.printf(Locale.ROOT, "  share %.2f -> score %.2f: %s%n", share, t, countAt(eval, scores, t).describe());
        }
        printErrors(out, eval, scores, decision.scoreThreshold(SemanticMatcher.DEFAULT_MAX_WRONG_SHARE),
            !flags.contains("--quiet-eval"));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /**
   * {@code model} with its vectors kept in {@code file} (one "text TAB base64 floats" a line), so
   * that a second run on the same questions does not embed them again. Only for trying signals:
   * embedding times printed by a run that reads the file are not the model's.
   */
  private static Function<String, float[]> cached(Function<String, float[]> model, Path file) throws IOException {
    Map<String, float[]> known = new HashMap<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        int tab = line.lastIndexOf('\t');
        java.nio.FloatBuffer floats = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(line.substring(tab + 1)))
            .asFloatBuffer();
        float[] vector = new float[floats.remaining()];
        floats.get(vector);
        known.put(line.substring(0, tab), vector);
      }
    }
    return text -> known.computeIfAbsent(text, t -> {
      float[] vector = model.apply(t);
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(vector.length * 4);
      bytes.asFloatBuffer().put(vector);
      try {
        Files.writeString(file, t.replace('\t', ' ').replace('\n', ' ') + "\t"
            + java.util.Base64.getEncoder().encodeToString(bytes.array()) + "\n", StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return vector;
    });
  }

  /** Zeroes the signals named (trying a decision without them); their fitted weights are then 0. */
  private static void drop(List<Scored> pairs, List<String> signals) {
    for (String signal : signals) {
      int index = MatchSignals.NAMES.indexOf(signal);
      if (index < 1) {
        throw new IllegalArgumentException("no signal " + signal);
      }
      pairs.forEach(p -> p.signals().values()[index] = 0);
    }
  }

  private static List<String> split(String list) {
    return list == null || list.isBlank() ? List.of() : List.of(list.split(","));
  }
}
