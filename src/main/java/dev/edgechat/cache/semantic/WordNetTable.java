package dev.edgechat.cache.semantic;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Princeton WordNet 3.1 reduced to the three things the meaning guard asks of it: which lemmas each
 * part of speech's index holds, the irregular forms (exception lists: "chose" → choose), and for each
 * lemma the words it can stand for (every lemma of a synset it is in, and every word derived from one
 * of those). Read once from {@value #RESOURCE} on the class path, about 6 MB in memory.
 *
 * <p>Design note. extJWNL, which reads WordNet's own files, keeps all of them in the heap as bytes
 * (some 37 MB, and about 100 MB of garbage while loading: a third of a lean edge's memory) to answer
 * these questions through synsets, pointers and sense lists the guard never looks at. This table is
 * what extJWNL answers, made from it by the build ({@link WordNetTableBuild}; {@code WordNetTableTest}
 * checks, word by word, that {@link WordNetSynonyms} on this table says what extJWNL says). Strings are one sorted block of UTF-8 bytes, found by binary search; a lemma's words are a
 * run of ids in one {@code int[]}. No library keeps WordNet this small, hence the hand-written form.
 */
final class WordNetTable {

  static final String RESOURCE = "/meaning-guard/wordnet-31.bin";
  private static final int MAGIC = 0x574e3331; // "WN31"
  private static final int FORMAT = 1;

  /** WordNet's parts of speech, in extJWNL's order; each has its own index and exception list. */
  enum Part {
    NOUN, VERB, ADJECTIVE, ADVERB
  }

  private static volatile WordNetTable shared;

  /** Every string the table holds, sorted by unsigned UTF-8 bytes: {@code text[starts[i]..starts[i+1])}. */
  private final byte[] text;
  private final int[] starts;
  /** Bit {@code 1 << part.ordinal()} set where the string is a lemma of that part's index. */
  private final byte[] parts;
  /** Ids of the words string {@code i} stands for: {@code related[relatedStarts[i]..relatedStarts[i+1])}. */
  private final int[] relatedStarts;
  private final int[] related;
  /** Per part: sorted ids of irregular forms, and for each the ids of its base forms. */
  private final int[][] exceptionKeys;
  private final int[][] exceptionStarts;
  private final int[][] exceptionBases;

  private WordNetTable(byte[] text, int[] starts, byte[] parts, int[] relatedStarts, int[] related,
      int[][] exceptionKeys, int[][] exceptionStarts, int[][] exceptionBases) {
    this.text = text;
    this.starts = starts;
    this.parts = parts;
    this.relatedStarts = relatedStarts;
    this.related = related;
    this.exceptionKeys = exceptionKeys;
    this.exceptionStarts = exceptionStarts;
    this.exceptionBases = exceptionBases;
  }

  /** The one table of this JVM, read from the class path by the first call (a worker thread's, not an event loop's). */
  static WordNetTable shared() {
    WordNetTable loaded = shared;
    if (loaded == null) {
      synchronized (WordNetTable.class) {
        loaded = shared;
        if (loaded == null) {
          try (InputStream in = WordNetTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
              throw new IllegalStateException("WordNet table " + RESOURCE + " is not on the class path");
            }
            loaded = read(in);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the WordNet table " + RESOURCE, e);
          }
          shared = loaded;
        }
      }
    }
    return loaded;
  }

  /**
   * The key WordNet files a lemma under: trimmed, lower-case, an underscore read as the space it
   * stands for in multi-word lemmas ("credit_card" = "credit card"), as extJWNL's look-ups do.
   */
  static String key(String lemma) {
    return lemma.trim().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /** Whether {@code lemma} is in the index of {@code part}. */
  boolean inIndex(Part part, String lemma) {
    int id = id(key(lemma));
    return id >= 0 && (parts[id] & (1 << part.ordinal())) != 0;
  }

  /** Whether {@code lemma} is in the index of any part of speech. */
  boolean inAnyIndex(String lemma) {
    int id = id(key(lemma));
    return id >= 0 && parts[id] != 0;
  }

  /** The base forms WordNet's exception list of {@code part} gives for {@code form}; empty if none. */
  List<String> exceptions(Part part, String form) {
    int id = id(key(form));
    if (id < 0) {
      return List.of();
    }
    int[] keys = exceptionKeys[part.ordinal()];
    int at = Arrays.binarySearch(keys, id);
    if (at < 0) {
      return List.of();
    }
    int[] runs = exceptionStarts[part.ordinal()];
    int[] bases = exceptionBases[part.ordinal()];
    List<String> out = new ArrayList<>(runs[at + 1] - runs[at]);
    for (int i = runs[at]; i < runs[at + 1]; i++) {
      out.add(word(bases[i]));
    }
    return out;
  }

  /**
   * The words {@code lemma} can stand for, over every part of speech it is indexed in: each lemma of
   * each of its synsets (itself included), lower-case, and each word derived from one of those.
   * Empty when it is in no index.
   */
  void addRelated(String lemma, Collection<String> out) {
    int id = id(key(lemma));
    if (id < 0) {
      return;
    }
    for (int i = relatedStarts[id]; i < relatedStarts[id + 1]; i++) {
      out.add(word(related[i]));
    }
  }

  /** How many strings the table holds. */
  int size() {
    return parts.length;
  }

  private String word(int id) {
    return new String(text, starts[id], starts[id + 1] - starts[id], StandardCharsets.UTF_8);
  }

  private int id(String key) {
    byte[] wanted = key.getBytes(StandardCharsets.UTF_8);
    int low = 0;
    int high = parts.length - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int order = Arrays.compareUnsigned(text, starts[mid], starts[mid + 1], wanted, 0, wanted.length);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  static WordNetTable read(InputStream source) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(source, 1 << 16));
    if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
      throw new IOException("not a WordNet table of format " + FORMAT);
    }
    int count = in.readInt();
    int[] starts = new int[count + 1];
    byte[] text = new byte[in.readInt()];
    for (int i = 0; i < count; i++) {
      starts[i + 1] = starts[i] + in.readUnsignedByte();
    }
    in.readFully(text);
    byte[] parts = new byte[count];
    in.readFully(parts);
    int[] relatedStarts = new int[count + 1];
    for (int i = 0; i < count; i++) {
      relatedStarts[i + 1] = relatedStarts[i] + in.readUnsignedShort();
    }
    int[] related = readInts(in, relatedStarts[count]);
    int partCount = Part.values().length;
    int[][] keys = new int[partCount][];
    int[][] runs = new int[partCount][];
    int[][] bases = new int[partCount][];
    for (int p = 0; p < partCount; p++) {
      int forms = in.readInt();
      keys[p] = readInts(in, forms);
      runs[p] = new int[forms + 1];
      for (int i = 0; i < forms; i++) {
        runs[p][i + 1] = runs[p][i] + in.readUnsignedByte();
      }
      bases[p] = readInts(in, runs[p][forms]);
    }
    if (in.read() != -1) {
      throw new IOException("WordNet table has trailing bytes");
    }
    return new WordNetTable(text, starts, parts, relatedStarts, related, keys, runs, bases);
  }

  private static int[] readInts(DataInputStream in, int count) throws IOException {
    int[] values = new int[count];
    for (int i = 0; i < count; i++) {
      values[i] = in.readInt();
    }
    return values;
  }

  /**
   * Writes a table in the form {@link #read} reads: what {@link WordNetTableBuild} makes from extJWNL.
   * Every string is stored as given; keys are expected in {@link #key} form.
   *
   * @param indexed per lemma, the parts of speech whose index holds it
   * @param related per lemma, the words it can stand for
   * @param exceptions per part of speech, per irregular form, its base forms in WordNet's order
   */
  static void write(Map<String, Set<Part>> indexed, Map<String, Set<String>> related,
      Map<Part, Map<String, List<String>>> exceptions, OutputStream target) throws IOException {
    SortedSet<byte[]> all = new TreeSet<>(Arrays::compareUnsigned);
    indexed.keySet().forEach(word -> all.add(utf8(word)));
    related.forEach((word, words) -> {
      all.add(utf8(word));
      words.forEach(other -> all.add(utf8(other)));
    });
    exceptions.values().forEach(forms -> forms.forEach((form, bases) -> {
      all.add(utf8(form));
      bases.forEach(base -> all.add(utf8(base)));
    }));
    List<String> words = new ArrayList<>(all.size());
    SortedMap<String, Integer> ids = new TreeMap<>();
    for (byte[] word : all) {
      String text = new String(word, StandardCharsets.UTF_8);
      ids.put(text, words.size());
      words.add(text);
    }
    DataOutputStream out = new DataOutputStream(target);
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeInt(words.size());
    out.writeInt(all.stream().mapToInt(word -> word.length).sum());
    for (byte[] word : all) {
      out.writeByte(checked(word.length, 0xff, "string length"));
    }
    for (byte[] word : all) {
      out.write(word);
    }
    for (String word : words) {
      int mask = 0;
      for (Part part : indexed.getOrDefault(word, Set.of())) {
        mask |= 1 << part.ordinal();
      }
      out.writeByte(mask);
    }
    List<int[]> relatedIds = new ArrayList<>(words.size());
    for (String word : words) {
      int[] sorted = related.getOrDefault(word, Set.of()).stream().mapToInt(ids::get).sorted().distinct().toArray();
      relatedIds.add(sorted);
      out.writeShort(checked(sorted.length, 0xffff, "related words"));
    }
    for (int[] run : relatedIds) {
      for (int id : run) {
        out.writeInt(id);
      }
    }
    for (Part part : Part.values()) {
      SortedMap<Integer, List<String>> forms = new TreeMap<>();
      exceptions.getOrDefault(part, Map.of()).forEach((form, bases) -> forms.put(ids.get(form), List.copyOf(bases)));
      out.writeInt(forms.size());
      for (int form : forms.keySet()) {
        out.writeInt(form);
      }
      for (List<String> bases : forms.values()) {
        out.writeByte(checked(bases.size(), 0xff, "base forms"));
      }
      for (List<String> bases : forms.values()) {
        for (String base : bases) {
          out.writeInt(ids.get(base));
        }
      }
    }
    out.flush();
  }

  private static byte[] utf8(String word) {
    return word.getBytes(StandardCharsets.UTF_8);
  }

  private static int checked(int value, int max, String what) {
    if (value > max) {
      throw new IllegalArgumentException(what + " " + value + " exceeds the table's limit " + max);
    }
    return value;
  }
}
