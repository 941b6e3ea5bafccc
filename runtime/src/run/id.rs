//! Run ids: `{name}-{yyyymmdd}-{hhmmss}-{4 hex}`, sortable and readable.

use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh run id for a run called `name`.
pub fn new_run_id(name: &str) -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (year, month, day, hour, minute, second) = civil_from_unix(seconds);
    let suffix: u16 = rand::random();
    format!("{name}-{year:04}{month:02}{day:02}-{hour:02}{minute:02}{second:02}-{suffix:04x}")
}

/// UTC calendar date and time of a Unix timestamp (Howard Hinnant's
/// days-from-civil inverse).
fn civil_from_unix(seconds: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (seconds / 86_400) as i64;
    let in_day = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (in_day / 3600) as u32,
        (in_day % 3600 / 60) as u32,
        (in_day % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_known_timestamps() {
        assert_eq!(civil_from_unix(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil_from_unix(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(civil_from_unix(1_795_315_377), (2026, 11, 22, 2, 42, 57));
    }

    #[test]
    fn ids_start_with_the_name_and_differ() {
        let a = new_run_id("quickstart");
        assert!(a.starts_with("quickstart-"));
        assert_eq!(a.len(), "quickstart-20261122-024257-abcd".len());
    }
}
