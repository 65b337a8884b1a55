package dev.edgechat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Verifies that each role's --help lists what that role needs and accepts, and nothing of the others (issue 21, item 1). */
class RoleHelpTest {

  private static final String[] SIM_FLAGS = {"--first-token-ms", "--tokens-per-second", "--answer-tokens",
      "--error-rate", "--stall-rate", "--cut-rate", "--embedding-latency-ms", "--answer-spread"};

  /** Verifies that {@code edge --help} names origin's URL and the edge token, the cache Redis, and no sim flag. */
  @Test
  void edgeHelp_listsWhatAnEdgeNeeds_issue21Item1() {
    String help = help("edge", "--help");
    assertThat(help).contains("Usage: edgechat edge", "EDGECHAT_ORIGIN_URL", "EDGECHAT_EDGE_TOKEN",
        "EDGECHAT_REDIS_URL", "EDGECHAT_GATEWAY_KEYS", "--port", "--config-dir", "relays the admin API");
    assertThat(help).doesNotContain(SIM_FLAGS).doesNotContain("EDGECHAT_POSTGRES_URL");
  }

  /** Verifies that {@code origin --help} names Postgres, the edge token, the queue and the admin token, and no sim flag. */
  @Test
  void originHelp_listsWhatOriginNeeds_issue21Item1() {
    String help = help("origin", "--help");
    assertThat(help).contains("Usage: edgechat origin", "EDGECHAT_POSTGRES_URL", "EDGECHAT_EDGE_TOKEN",
        "EDGECHAT_QUEUE_REDIS_URL", "EDGECHAT_ADMIN_TOKEN", "EDGECHAT_LLM_API_KEY", "embeddings.*");
    assertThat(help).doesNotContain(SIM_FLAGS).doesNotContain("EDGECHAT_ORIGIN_URL");
  }

  /** Verifies that {@code worker --help} names Postgres and the queue Redis as needs, origin's URL as optional. */
  @Test
  void workerHelp_listsWhatAWorkerNeeds_issue21Item1() {
    String help = help("worker", "--help");
    assertThat(help).contains("Usage: edgechat worker", "EDGECHAT_POSTGRES_URL", "EDGECHAT_QUEUE_REDIS_URL",
        "EDGECHAT_ORIGIN_URL", "embeddings.*");
    assertThat(help.indexOf("EDGECHAT_ORIGIN_URL")).isGreaterThan(help.indexOf("Accepts"));
    assertThat(help).doesNotContain(SIM_FLAGS).doesNotContain("EDGECHAT_GATEWAY_KEYS");
  }

  /** Verifies that {@code sim --help} lists every sim flag and needs nothing. */
  @Test
  void simHelp_listsTheSimFlags_issue21Item1() {
    String help = help("sim", "--help");
    assertThat(help).contains("Usage: edgechat sim", "Needs: nothing").contains(SIM_FLAGS)
        .doesNotContain("EDGECHAT_POSTGRES_URL", "EDGECHAT_EDGE_TOKEN");
  }

  /** Verifies that {@code all --help} needs nothing and names the URLs that replace the embedded stores. */
  @Test
  void allHelp_needsNothing_issue21Item1() {
    String help = help("all", "--help");
    assertThat(help).contains("Usage: edgechat all", "Needs: nothing", "EDGECHAT_POSTGRES_URL", "EDGECHAT_REDIS_URL",
        "EDGECHAT_ADMIN_TOKEN").doesNotContain(SIM_FLAGS);
  }

  /** Verifies that {@code migrate --help} names Postgres and does not migrate. */
  @Test
  void migrateHelp_needsPostgres_issue21Item1() {
    String help = help("migrate", "--help");
    assertThat(help).contains("Usage: edgechat migrate", "EDGECHAT_POSTGRES_URL").doesNotContain(SIM_FLAGS);
  }

  /** Verifies that the global help lists every role and points to each role's help, without the sim's flags. */
  @Test
  void globalHelp_listsRolesAndPointsToTheirHelp_issue21Item1() {
    String help = help("--help");
    assertThat(help).contains("all", "edge", "origin", "worker", "sim", "migrate", "bench", "topology",
        "<role> --help").doesNotContain(SIM_FLAGS);
  }

  /** Verifies that a sim flag given to another role is refused (exit 2), not silently ignored. */
  @Test
  void simFlag_onEdge_isRefused_issue21Item1() {
    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("edge", "--error-rate", "0.5")).isEqualTo(2);
    assertThat(err.toString()).contains("--error-rate");
  }

  private static String help(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute(args)).isZero();
    return out.toString();
  }
}
