//! Curves cut down to what a chart of `width` pixels can show: min/max per
//! pixel column (peaks survive, the same data gives the same picture), raw
//! points when there are few enough, and a smoothed line that only looks
//! back.

use serde::Serialize;

/// Weight of the past in the smoothed line (TensorBoard's default 0.6 is
/// for few points; training curves here have thousands).
pub const SMOOTHING: f64 = 0.9;

/// An x range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XRange {
    /// Smallest x shown.
    pub lo: f64,
    /// Largest x shown.
    pub hi: f64,
}

impl XRange {
    /// The range spanning every x, or `None` for no points.
    pub fn spanning(xs: &[f64]) -> Option<XRange> {
        let mut finite = xs.iter().copied().filter(|x| x.is_finite());
        let first = finite.next()?;
        let (lo, hi) = finite.fold((first, first), |(lo, hi), x| (lo.min(x), hi.max(x)));
        Some(XRange { lo, hi })
    }

    fn contains(&self, x: f64) -> bool {
        x >= self.lo && x <= self.hi
    }

    /// The pixel column of `x` among `width` columns.
    fn column(&self, x: f64, width: usize) -> usize {
        let span = self.hi - self.lo;
        if span <= 0.0 {
            return 0;
        }
        let column = ((x - self.lo) / span * width as f64).floor();
        (column.max(0.0) as usize).min(width - 1)
    }
}

/// Raw points.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Points {
    /// x of each point.
    pub x: Vec<f64>,
    /// y of each point.
    pub y: Vec<f64>,
}

/// One entry per non-empty pixel column.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Columns {
    /// x of the column's last point (data order).
    pub x: Vec<f64>,
    /// Smallest y in the column.
    pub min: Vec<f64>,
    /// Largest y in the column.
    pub max: Vec<f64>,
    /// y of its first point.
    pub first: Vec<f64>,
    /// y of its last point.
    pub last: Vec<f64>,
}

/// A series as a chart gets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Raw points in the range.
    pub count: usize,
    /// All of them, when there are at most two per column.
    pub points: Option<Points>,
    /// Min/max per column otherwise.
    pub columns: Option<Columns>,
    /// The debiased moving average at each raw point shown, or at each
    /// column's last point.
    pub smooth: Points,
    /// Index in the input of each raw point shown, or of each column's
    /// last point (for naming the episode behind a point).
    #[serde(skip)]
    pub picked: Vec<usize>,
}

#[derive(Clone, Copy)]
struct Column {
    x: f64,
    min: f64,
    max: f64,
    first: f64,
    last: f64,
    last_index: usize,
    /// The smoothed line at its last point.
    smooth: f64,
}

/// `ys` against `xs` (same length, data order) in `range`, for `width`
/// pixel columns. Non-finite points are left out.
///
/// One pass over the points, smoothing as it goes: a million-episode
/// curve is decimated for every chart request.
pub fn decimate(xs: &[f64], ys: &[f64], range: XRange, width: usize) -> Series {
    let width = width.max(1);
    let n = xs.len().min(ys.len());
    let inside = |i: usize| xs[i].is_finite() && ys[i].is_finite() && range.contains(xs[i]);
    let count = (0..n).filter(|&i| inside(i)).count();
    let mut average = Ema::default();
    if count <= 2 * width {
        let mut points = Points::default();
        let mut smooth = Points::default();
        let mut picked = Vec::with_capacity(count);
        for i in 0..n {
            let smoothed = average.add(ys[i]);
            if inside(i) {
                points.x.push(xs[i]);
                points.y.push(ys[i]);
                smooth.x.push(xs[i]);
                smooth.y.push(smoothed);
                picked.push(i);
            }
        }
        return Series {
            count,
            points: Some(points),
            columns: None,
            smooth,
            picked,
        };
    }
    let mut slots: Vec<Option<Column>> = vec![None; width];
    for i in 0..n {
        let smoothed = average.add(ys[i]);
        if !inside(i) {
            continue;
        }
        let (x, y) = (xs[i], ys[i]);
        let slot = &mut slots[range.column(x, width)];
        match slot {
            None => {
                *slot = Some(Column {
                    x,
                    min: y,
                    max: y,
                    first: y,
                    last: y,
                    last_index: i,
                    smooth: smoothed,
                })
            }
            Some(column) => {
                column.x = x;
                column.min = column.min.min(y);
                column.max = column.max.max(y);
                column.last = y;
                column.last_index = i;
                column.smooth = smoothed;
            }
        }
    }
    let mut columns = Columns::default();
    let mut smooth_points = Points::default();
    let mut picked = Vec::new();
    for column in slots.into_iter().flatten() {
        picked.push(column.last_index);
        columns.x.push(column.x);
        columns.min.push(column.min);
        columns.max.push(column.max);
        columns.first.push(column.first);
        columns.last.push(column.last);
        smooth_points.x.push(column.x);
        smooth_points.y.push(column.smooth);
    }
    Series {
        count,
        points: None,
        columns: Some(columns),
        smooth: smooth_points,
        picked,
    }
}

/// Exponential moving average with TensorBoard's debiasing, fed in data
/// order: each value depends only on the points before and at it. A
/// non-finite point keeps the previous average.
#[derive(Debug, Clone, Copy)]
struct Ema {
    average: f64,
    weight_of_start: f64,
    last: f64,
}

impl Default for Ema {
    fn default() -> Self {
        Self {
            average: 0.0,
            weight_of_start: 1.0,
            last: f64::NAN,
        }
    }
}

impl Ema {
    fn add(&mut self, y: f64) -> f64 {
        if y.is_finite() {
            self.average = SMOOTHING * self.average + (1.0 - SMOOTHING) * y;
            self.weight_of_start *= SMOOTHING;
            self.last = self.average / (1.0 - self.weight_of_start);
        }
        self.last
    }
}

/// The smoothed line at every point of `ys` (see [`Ema`]).
pub fn smooth(ys: &[f64]) -> Vec<f64> {
    let mut average = Ema::default();
    ys.iter().map(|&y| average.add(y)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spiky(n: usize) -> (Vec<f64>, Vec<f64>) {
        let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let ys: Vec<f64> = (0..n)
            .map(|i| match i {
                777 => 1e6,
                9_001 => -1e6,
                _ => (i as f64 * 0.01).sin(),
            })
            .collect();
        (xs, ys)
    }

    #[test]
    fn peaks_survive_decimation() {
        let (xs, ys) = spiky(100_000);
        let range = XRange::spanning(&xs).expect("points");
        let series = decimate(&xs, &ys, range, 300);
        let columns = series.columns.expect("columns for 100k points");
        assert_eq!(series.count, 100_000);
        assert!(columns.x.len() <= 300);
        let top = columns.max.iter().copied().fold(f64::MIN, f64::max);
        let bottom = columns.min.iter().copied().fold(f64::MAX, f64::min);
        assert_eq!((top, bottom), (1e6, -1e6));
        // The spike at x = 777 lands in the column that holds x = 777.
        let column = columns.x.iter().position(|&x| x >= 777.0).expect("column");
        assert_eq!(columns.max[column], 1e6);
    }

    #[test]
    fn the_same_data_gives_the_same_columns() {
        let (xs, ys) = spiky(50_000);
        let range = XRange {
            lo: 100.0,
            hi: 40_000.0,
        };
        assert_eq!(
            decimate(&xs, &ys, range, 640),
            decimate(&xs, &ys, range, 640)
        );
    }

    #[test]
    fn a_narrow_range_gives_raw_points() {
        let (xs, ys) = spiky(50_000);
        let series = decimate(
            &xs,
            &ys,
            XRange {
                lo: 770.0,
                hi: 780.0,
            },
            640,
        );
        let points = series.points.expect("raw points");
        assert_eq!(points.x, (770..=780).map(f64::from).collect::<Vec<_>>());
        assert_eq!(points.y[7], 1e6);
    }

    #[test]
    fn smoothing_never_looks_ahead() {
        let ys: Vec<f64> = (0..200).map(|i| (i % 7) as f64).collect();
        let full = smooth(&ys);
        for cut in [1, 5, 50, 199] {
            let prefix = smooth(&ys[..cut]);
            assert_eq!(
                prefix[..],
                full[..cut],
                "smoothed values up to {cut} changed"
            );
        }
        // Debiased: the first value is the first point, not 10% of it.
        assert_eq!(smooth(&[5.0])[0], 5.0);
    }

    #[test]
    fn non_finite_points_are_left_out() {
        let xs = [0.0, 1.0, 2.0];
        let ys = [1.0, f64::NAN, 3.0];
        let series = decimate(&xs, &ys, XRange { lo: 0.0, hi: 2.0 }, 10);
        assert_eq!(series.count, 2);
    }
}
