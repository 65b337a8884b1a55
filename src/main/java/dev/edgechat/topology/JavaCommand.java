package dev.edgechat.topology;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How a role's JVM is launched: this JVM's own {@code java} binary and class path (made absolute:
 * each role runs in a folder of its own), options for every role, and {@code dev.edgechat.Main <role>}.
 * From {@code java -jar edgechat.jar topology} the class path is the jar; in a test, the test class path.
 */
public record JavaCommand(Path java, String classPath, List<String> jvmOptions) {

  static final String MAIN = "dev.edgechat.Main";

  public JavaCommand {
    jvmOptions = List.copyOf(jvmOptions);
  }

  public static JavaCommand current(List<String> jvmOptions) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
    return new JavaCommand(java, classPath, jvmOptions);
  }

  /** {@code java <options> -cp <class path> dev.edgechat.Main <role>}. */
  public List<String> command(String role) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, MAIN, role));
    return command;
  }
}
