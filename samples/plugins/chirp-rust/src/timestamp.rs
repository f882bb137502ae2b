//! ISO 8601 instants as `fetch_insights` accepts them:
//! `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)`, e.g. `2026-11-01T00:00:00Z` or
//! `2026-11-01T01:30:00.250+01:30`. Calendar dates are checked (month lengths, leap years);
//! hours 00-23, minutes 00-59, seconds 00-59 (no leap second).
//!
//! The bounds are those of the host's reader (.NET `DateTimeOffset` through System.Text.Json),
//! which parses the `start` and `end` this plugin echoes back: `T` and `Z` upper case, 1 to 16
//! fraction digits, offsets within ±14:00, and the instant in UTC within years 0001-9999.

use std::cmp::Ordering;

const MAX_FRACTION_DIGITS: usize = 16;
const MAX_OFFSET_MINUTES: i64 = 14 * 60;

/// A point in time: whole seconds since 1970-01-01T00:00:00Z and the decimal fraction of a
/// second as digits without trailing zeros (any precision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    seconds: i64,
    fraction: String,
}

impl Ord for Instant {
    fn cmp(&self, other: &Self) -> Ordering {
        // Without trailing zeros, the digit strings of two fractions compare like their values.
        self.seconds.cmp(&other.seconds).then_with(|| self.fraction.cmp(&other.fraction))
    }
}

impl PartialOrd for Instant {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn digits(bytes: &[u8], at: usize, count: usize) -> Option<i64> {
    let part = bytes.get(at..at + count)?;
    let mut value = 0i64;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(value)
}

fn expect(bytes: &[u8], at: usize, what: u8) -> Option<()> {
    (bytes.get(at) == Some(&what)).then(|| ())
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an instant; `None` when the text is not of the accepted form.
pub fn parse(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    let year = digits(b, 0, 4)?;
    expect(b, 4, b'-')?;
    let month = digits(b, 5, 2)?;
    expect(b, 7, b'-')?;
    let day = digits(b, 8, 2)?;
    expect(b, 10, b'T')?;
    let hour = digits(b, 11, 2)?;
    expect(b, 13, b':')?;
    let minute = digits(b, 14, 2)?;
    expect(b, 16, b':')?;
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }

    let mut at = 19;
    let mut fraction = "";
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        let mut end = start;
        while b.get(end).map_or(false, u8::is_ascii_digit) {
            end += 1;
        }
        if end == start || end - start > MAX_FRACTION_DIGITS {
            return None;
        }
        fraction = text.get(start..end)?;
        at = end;
    }

    let offset_seconds = match b.get(at) {
        Some(b'Z') => {
            at += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, at + 1, 2)?;
            expect(b, at + 3, b':')?;
            let om = digits(b, at + 4, 2)?;
            if om > 59 || oh * 60 + om > MAX_OFFSET_MINUTES {
                return None;
            }
            at += 6;
            let magnitude = oh * 3600 + om * 60;
            if sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    if at != b.len() {
        return None;
    }

    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    let utc = local - offset_seconds;
    if utc < days_from_civil(1, 1, 1) * 86_400 || utc >= days_from_civil(10_000, 1, 1) * 86_400 {
        return None;
    }
    Some(Instant {
        seconds: utc,
        fraction: fraction.trim_end_matches('0').to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_utc_offsets_and_fractions() {
        assert!(parse("2026-11-01T00:00:00Z").is_some());
        assert!(parse("2026-11-01T00:00:00.5Z").is_some());
        assert!(parse("2026-11-01T00:00:00.123456789+05:30").is_some());
        assert!(parse("2024-02-29T23:59:59-00:00").is_some());
        assert!(parse("2026-11-01T00:00:00+14:00").is_some());
        assert!(parse("2026-11-01T00:00:00.1234567890123456Z").is_some());
        assert!(parse("0001-01-01T00:00:00Z").is_some());
        assert!(parse("9999-12-31T23:59:59.9999999Z").is_some());
        assert_eq!(parse("1970-01-01T00:00:00Z").unwrap().seconds, 0);
        assert_eq!(parse("2000-03-01T00:00:00Z").unwrap().seconds, 951_868_800);
    }

    #[test]
    fn rejects_other_forms() {
        for bad in [
            "", "2026-11-01", "2026-11-01T00:00Z", "2026-11-01T00:00:00", "2026-11-01 00:00:00Z",
            "2026-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-01T24:00:00Z",
            "2026-11-01T00:00:60Z", "2026-11-01T00:00:00.Z", "2026-11-01T00:00:00+0100",
            "2026-11-01T00:00:00Zx", "2026-11-01T00:00:00+24:00", "２026-11-01T00:00:00Z",
            "2026-11-01T00:00:00+14:01", "2026-11-01T00:00:00-15:00", "0000-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-01:00", "2026-11-01t00:00:00z",
            "2026-11-01T00:00:00.12345678901234567Z", "2026-11-01T00:00:00+01:60",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn orders_by_instant() {
        let a = parse("2026-11-01T01:00:00+01:00").unwrap();
        let b = parse("2026-11-01T00:00:00Z").unwrap();
        assert_eq!(a, b);
        assert!(parse("2026-11-01T00:00:00.45Z").unwrap() < parse("2026-11-01T00:00:00.5Z").unwrap());
        assert!(parse("2026-11-01T00:00:00.500Z").unwrap() == parse("2026-11-01T00:00:00.5Z").unwrap());
        assert!(parse("2026-11-01T00:00:00Z").unwrap() < parse("2026-11-01T00:00:00.001Z").unwrap());
        assert!(parse("2026-11-01T00:00:00-01:00").unwrap() > parse("2026-11-01T00:30:00Z").unwrap());
    }
}
