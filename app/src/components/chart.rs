//! Bar charts drawn as SVG on the server: no chart library and no script. The picture is a
//! summary; each chart's page puts a table with the same numbers beside it.

use leptos::prelude::*;

/// One series of bars, coloured by its CSS class (`series-…` in `style/main.css`).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
    /// One value per period; `None` draws no bar.
    pub values: Vec<Option<u64>>,
}

/// A period's name under its bars: a short first line, and a second (the year) where it
/// changes.
#[derive(Debug, Clone)]
pub struct AxisLabel {
    pub short: String,
    pub year: Option<String>,
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 46.0;
const TICKS: u64 = 4;

/// The smallest round step (1, 2 or 5 times a power of ten) that fits `max` in [`TICKS`].
fn step_for(max: u64) -> u64 {
    let raw = max.div_ceil(TICKS).max(1);
    let mut power = 1;
    loop {
        for factor in [1, 2, 5] {
            if factor * power >= raw {
                return factor * power;
            }
        }
        power *= 10;
    }
}

/// Bars per period, `stacked` into one bar or side by side, with an optional reference line
/// (e.g. the review target). `title` names the chart for assistive technology.
#[component]
pub fn BarChart(
    #[prop(into)] title: String,
    labels: Vec<AxisLabel>,
    series: Vec<Series>,
    #[prop(optional)] stacked: bool,
    #[prop(optional)] reference: Option<(String, u64)>,
) -> impl IntoView {
    let n = labels.len().max(1);
    let heights: Vec<u64> = (0..n)
        .map(|i| {
            let values = series.iter().map(|s| s.values.get(i).copied().flatten().unwrap_or(0));
            if stacked { values.sum() } else { values.max().unwrap_or(0) }
        })
        .collect();
    let max = heights.iter().copied().chain(reference.as_ref().map(|r| r.1)).max().unwrap_or(0);
    let step = step_for(max);
    let top = step * TICKS;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = move |value: u64| TOP + plot_h - value as f64 / top as f64 * plot_h;
    let slot = plot_w / n as f64;
    let group = slot * 0.7;
    let every = n.div_ceil(12);
    let grid = (0..=TICKS)
        .map(|t| {
            let value = t * step;
            let at = y(value);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=at y2=at/>
                <text class="tick" x=LEFT - 6.0 y=at + 4.0 text-anchor="end">{value.to_string()}</text>
            }
        })
        .collect_view();
    let mut bars = Vec::new();
    for i in 0..n {
        let x0 = LEFT + slot * i as f64 + (slot - group) / 2.0;
        let mut base = 0;
        for (k, s) in series.iter().enumerate() {
            let Some(value) = s.values.get(i).copied().flatten() else { continue };
            let (x, width, from) = if stacked {
                (x0, group, base)
            } else {
                let width = group / series.len() as f64;
                (x0 + width * k as f64, width, 0)
            };
            let (y_top, y_bottom) = (y(from + value), y(from));
            if stacked {
                base += value;
            }
            bars.push(view! {
                <rect class=format!("bar {}", s.class) x=x y=y_top width=width height=y_bottom - y_top/>
            });
        }
    }
    let axis = labels
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, label)| {
            let x = LEFT + slot * (i as f64 + 0.5);
            view! {
                <text class="tick" x=x y=HEIGHT - BOTTOM + 19.0 text-anchor="middle">{label.short}</text>
                {label.year.map(|year| view! {
                    <text class="tick" x=x y=HEIGHT - BOTTOM + 38.0 text-anchor="middle">{year}</text>
                })}
            }
        })
        .collect_view();
    let line = reference.map(|(name, value)| {
        let at = y(value);
        view! {
            <line class="reference" x1=LEFT x2=WIDTH - RIGHT y1=at y2=at/>
            <text class="tick reference-label" x=WIDTH - RIGHT y=at - 4.0 text-anchor="end">{name}</text>
        }
    });
    let legend = series
        .iter()
        .map(|s| view! { <li><span class=format!("swatch {}", s.class) aria-hidden="true"></span>{s.name}</li> })
        .collect_view();
    let label = title.clone();
    view! {
        <div class="chart-figure">
        <div class="chart-scroll">
            <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label>
                <title>{title}</title>
                {grid}
                {bars}
                {line}
                <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=y(0) y2=y(0)/>
                {axis}
            </svg>
        </div>
        <ul class="legend">{legend}</ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_rounds_up_to_a_round_step() {
        assert_eq!(step_for(0), 1);
        assert_eq!(step_for(3), 1);
        assert_eq!(step_for(5), 2);
        assert_eq!(step_for(9), 5);
        assert_eq!(step_for(37), 10);
        assert_eq!(step_for(41), 20);
        assert_eq!(step_for(1999), 500);
    }
}
