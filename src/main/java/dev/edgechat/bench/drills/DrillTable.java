package dev.edgechat.bench.drills;

import java.util.List;
import java.util.Locale;

/** The drills' outcomes as a markdown table, then each drill's breaches and notes. */
final class DrillTable {

  private DrillTable() {
  }

  static String render(List<DrillOutcome> outcomes) {
    StringBuilder out = new StringBuilder();
    out.append("| drill | sent | failed | 5xx | hangs | lost | recovery time | contract |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (DrillOutcome o : outcomes) {
      out.append("| ").append(o.drill())
          .append(" | ").append(o.sent.get())
          .append(" | ").append(o.failed.get())
          .append(" | ").append(o.serverErrors.get())
          .append(" | ").append(o.hangs.get())
          .append(" | ").append(o.lost.get())
          .append(" | ").append(o.recovery() == null ? "-"
              : String.format(Locale.ROOT, "%.1f s", o.recovery().toMillis() / 1000.0))
          .append(" | ").append(o.passed() ? "kept" : "BROKEN")
          .append(" |\n");
    }
    out.append('\n');
    for (DrillOutcome o : outcomes) {
      if (o.breaches().isEmpty() && o.notes().isEmpty()) {
        continue;
      }
      out.append("- **").append(o.drill()).append("**");
      for (String breach : o.breaches()) {
        out.append("\n  - BROKEN: ").append(breach);
      }
      for (String note : o.notes()) {
        out.append("\n  - ").append(note);
      }
      out.append('\n');
    }
    return out.toString();
  }
}
