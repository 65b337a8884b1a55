package dev.edgechat.cache.semantic;

import dev.edgechat.cache.semantic.WordNetTable.Part;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.Exc;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Pointer;
import net.sf.extjwnl.data.PointerType;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Makes {@link WordNetTable}'s resource from WordNet 3.1 as extJWNL reads it. Run by the build
 * ({@code exec-maven-plugin}, phase process-classes, as {@code widget.WidgetBuild} is) with the
 * output folder as its argument; extJWNL is a {@code provided} dependency, on the build's class path
 * only, and this class is left out of the jar. {@code WordNetTableTest} compares what the table
 * answers with what extJWNL answers, word by word.
 */
public final class WordNetTableBuild {

  private WordNetTableBuild() {
  }

  /** Writes the table under {@code args[0]} (a class-path root) at {@link WordNetTable#RESOURCE}. */
  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0], WordNetTable.RESOURCE.substring(1));
    Files.createDirectories(target.getParent());
    try (OutputStream out = Files.newOutputStream(target)) {
      write(Dictionary.getDefaultResourceInstance(), Dictionary.getDefaultResourceInstance(), out);
    }
  }

  /**
   * Writes the table: every index's lemmas with the words each stands for ({@link #relatedTo}), and
   * every exception list.
   *
   * @param lookups looked up only, never iterated: iterating caches every line read, and for a form
   *     WordNet lists twice (noun.exc: "aurar eyir", "aurar eyrir") the cached line then depends on the
   *     order of calls, where a look-up alone always finds the same one, the one the guard got from
   *     extJWNL before the table
   * @param listing iterated, for the lists of lemmas and irregular forms; not {@code lookups}
   */
  static void write(Dictionary lookups, Dictionary listing, OutputStream out) throws JWNLException, IOException {
    Map<String, Set<Part>> indexed = new HashMap<>();
    Map<String, Set<String>> related = new HashMap<>();
    Map<Part, Map<String, List<String>>> exceptions = new EnumMap<>(Part.class);
    for (POS pos : POS.getAllPOS()) {
      Part part = Part.values()[POS.getAllPOS().indexOf(pos)];
      for (Iterator<IndexWord> it = listing.getIndexWordIterator(pos); it.hasNext(); ) {
        IndexWord indexWord = it.next();
        String key = WordNetTable.key(indexWord.getLemma());
        indexed.computeIfAbsent(key, k -> EnumSet.noneOf(Part.class)).add(part);
        related.computeIfAbsent(key, k -> new HashSet<>()).addAll(relatedTo(indexWord));
      }
      Map<String, List<String>> forms = new HashMap<>();
      for (Iterator<Exc> it = listing.getExceptionIterator(pos); it.hasNext(); ) {
        String form = it.next().getLemma();
        forms.put(WordNetTable.key(form), List.copyOf(lookups.getException(pos, form).getExceptions()));
      }
      exceptions.put(part, forms);
    }
    WordNetTable.write(indexed, related, exceptions, out);
  }

  /** Every lemma of every synset of the index word, lower-case, and every word derived from one of them. */
  static Set<String> relatedTo(IndexWord indexWord) throws JWNLException {
    Set<String> related = new HashSet<>();
    for (Synset synset : indexWord.getSenses()) {
      for (Word lemma : synset.getWords()) {
        related.add(lemma.getLemma().toLowerCase(Locale.ROOT));
        for (Pointer derived : lemma.getPointers(PointerType.DERIVATION)) {
          if (derived.getTarget() instanceof Word target) {
            related.add(target.getLemma().toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return related;
  }
}
