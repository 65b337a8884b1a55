package dev.edgechat.bench;

import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * An SVG chart of latency distributions: one percentile curve per series, the percentile on a
 * log scale of {@code 1 / (1 - p)} (so 90, 99 and 99.9 are evenly apart, as HdrHistogram's plots
 * show them) and the latency on a log scale of milliseconds.
 *
 * <p>Design note: written by hand (about a hundred lines of SVG text) because a charting library
 * (JFreeChart and the like) would add megabytes and AWT to a server jar for one picture; SVG is
 * text, opens in any browser and renders in GitHub's Markdown.
 */
final class LatencyChart {

  private static final int WIDTH = 820;
  private static final int HEIGHT = 460;
  private static final int LEFT = 70;
  private static final int RIGHT = 180;
  private static final int TOP = 30;
  private static final int BOTTOM = 50;
  private static final double MAX_NINES = 3; // up to the 99.9th percentile
  private static final String[] COLOURS = {"#d62728", "#ff7f0e", "#2ca02c", "#1f77b4", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f"};

  private LatencyChart() {
  }

  /** @param series name to histogram of microseconds, drawn in this order; empty ones are skipped */
  static String svg(Map<String, Histogram> series) {
    double minMs = Double.MAX_VALUE;
    double maxMs = 0;
    for (Histogram h : series.values()) {
      if (h.getTotalCount() > 0) {
        minMs = Math.min(minMs, Math.max(0.1, h.getMinValue() / 1000.0));
        maxMs = Math.max(maxMs, h.getMaxValue() / 1000.0);
      }
    }
    if (maxMs == 0) {
      minMs = 1;
      maxMs = 10;
    }
    double lowDecade = Math.floor(Math.log10(minMs));
    double highDecade = Math.ceil(Math.log10(maxMs));
    if (highDecade <= lowDecade) {
      highDecade = lowDecade + 1;
    }
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">Time to the whole answer"
        + " (and first token) by percentile, log scales</text>%n", LEFT));
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    for (double d = lowDecade; d <= highDecade; d++) {
      double y = TOP + plotH - (d - lowDecade) / (highDecade - lowDecade) * plotH;
      svg.append(line(LEFT, y, LEFT + plotW, y, "#ddd"));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n",
          LEFT - 6, y + 4, label(Math.pow(10, d))));
    }
    String[] ticks = {"0", "90", "99", "99.9"};
    for (int i = 0; i <= MAX_NINES; i++) {
      double x = LEFT + i / MAX_NINES * plotW;
      svg.append(line(x, TOP, x, TOP + plotH, "#ddd"));
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">p%s</text>%n", x,
          TOP + plotH + 18, ticks[i]));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
        LEFT + plotW / 2, HEIGHT - 8));
    int index = 0;
    for (Map.Entry<String, Histogram> entry : series.entrySet()) {
      Histogram h = entry.getValue();
      if (h.getTotalCount() == 0) {
        continue;
      }
      String colour = COLOURS[index % COLOURS.length];
      StringBuilder points = new StringBuilder();
      for (int step = 0; step <= 120; step++) {
        double nines = step / 120.0 * MAX_NINES;
        double percentile = 100 * (1 - Math.pow(10, -nines));
        double ms = Math.max(Math.pow(10, lowDecade), h.getValueAtPercentile(percentile) / 1000.0);
        double x = LEFT + nines / MAX_NINES * plotW;
        double y = TOP + plotH - (Math.log10(ms) - lowDecade) / (highDecade - lowDecade) * plotH;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      String dash = entry.getKey().contains("first") ? " stroke-dasharray=\"5,3\"" : "";
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s"
          + " points=\"%s\"/>%n", colour, dash, points.toString().trim()));
      double legendY = TOP + 10 + index * 18;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\""
          + " stroke-width=\"2\"%s/>%n", LEFT + plotW + 10, legendY, LEFT + plotW + 30, legendY, colour, dash));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\">%s</text>%n", LEFT + plotW + 35,
          legendY + 4, escape(entry.getKey())));
      index++;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static String line(double x1, double y1, double x2, double y2, String colour) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
        x1, y1, x2, y2, colour);
  }

  private static String label(double ms) {
    return ms >= 1 ? String.format(Locale.ROOT, "%,.0f", ms) : String.format(Locale.ROOT, "%.1f", ms);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
