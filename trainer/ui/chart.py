"""A small text chart of trust and motivation per turn. Axes and turn numbers are labelled, and the two series
differ by symbol (● trust, ▲ motivation, side by side per turn, so they never hide each other): it reads without
colour. Pure function; no textual import."""

from __future__ import annotations

from rich.text import Text

TRUST, MOTIVATION = "●", "▲"


def _sample(points: list, keep: int) -> list:
    n = len(points)
    if n <= keep:
        return points
    idx = sorted({round(i * (n - 1) / (keep - 1)) for i in range(keep)})
    return [points[i] for i in idx]


def render_chart(points: list[tuple[int, int, int]], width: int, height: int = 8, *, turn_label: str = "",
                 legend: tuple[str, str] = ("", ""), styles: tuple[str, str] = ("", "")) -> Text:
    """points: (turn, trust, motivation), values 0–100. Returns `height` plot rows, the x axis with turn numbers
    and a legend. With more turns than fit, turns are sampled evenly (first and last always shown)."""
    height = max(3, height)
    plot_w = max(6, width - 5)  # "100┤" + plot
    if not points:
        return Text("")
    points = _sample(points, max(2, (plot_w - 2) // 2 + 1))
    n = len(points)
    step = 2 if n == 1 else max(2, min(10, (plot_w - 2) // (n - 1)))
    cols = [i * step for i in range(n)]
    grid_w = cols[-1] + 2
    cells: dict[tuple[int, int], str] = {}

    def row_of(value: int) -> int:
        return height - 1 - round(max(0, min(100, value)) * (height - 1) / 100)

    for x, (_, trust, motivation) in zip(cols, points):
        cells[(row_of(trust), x)] = "t"
        cells[(row_of(motivation), x + 1)] = "m"
    trust_style, motivation_style = styles
    out = Text()
    for r in range(height):
        value = round((height - 1 - r) * 100 / (height - 1))
        out.append((f"{value:>3}" if r in (0, height // 2, height - 1) else "   ") + "┤", style="dim")
        for x in range(grid_w):
            kind = cells.get((r, x))
            if kind == "t":
                out.append(TRUST, style=trust_style)
            elif kind == "m":
                out.append(MOTIVATION, style=motivation_style)
            else:
                out.append(" ")
        out.append("\n")
    axis = ["─"] * grid_w
    for x in cols:
        axis[x] = "┴"
    out.append("   └" + "".join(axis) + "\n", style="dim")
    numbers = [" "] * (grid_w + 4)
    free_from = 0
    for x, (turn, _, _) in zip(cols, points):
        label = str(turn)
        if x >= free_from:
            numbers[x:x + len(label)] = list(label)
            free_from = x + len(label) + 1
    out.append("    " + "".join(numbers).rstrip() + (f"  {turn_label}" if turn_label else "") + "\n", style="dim")
    out.append("    ")
    out.append(f"{TRUST} {legend[0]}", style=trust_style)
    out.append("   ")
    out.append(f"{MOTIVATION} {legend[1]}", style=motivation_style)
    return out
