//! The two date forms SigV4 accepts (`X-Amz-Date` ISO-8601 basic, `Date` RFC 1123), as
//! epoch milliseconds, and back to the basic form.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn to_millis(date: (i64, i64, i64), time: (i64, i64, i64)) -> Option<i64> {
    let (y, m, d) = date;
    let (hh, mm, ss) = time;
    // Four-digit years only (as both forms write them); a longer `Date` year would overflow.
    if !(0..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&d)
        || hh > 23
        || mm > 59
        || ss > 60
    {
        return None;
    }
    Some(((days_from_civil(y, m, d) * 24 + hh) * 60 + mm) * 60_000 + ss * 1000)
}

fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `20240101T000000Z` -> epoch milliseconds.
pub fn parse_amz_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits(text.get(r)?);
    to_millis(
        (num(0..4)?, num(4..6)?, num(6..8)?),
        (num(9..11)?, num(11..13)?, num(13..15)?),
    )
}

/// `Mon, 01 Jan 2024 00:00:00 GMT` (RFC 1123, the `Date` header) -> epoch milliseconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (_weekday, rest) = text.trim().split_once(", ")?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = fields.as_slice() else {
        return None;
    };
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let hms: Vec<&str> = time.split(':').collect();
    let [hh, mm, ss] = hms.as_slice() else {
        return None;
    };
    to_millis(
        (digits(year)?, month, digits(day)?),
        (digits(hh)?, digits(mm)?, digits(ss)?),
    )
}

/// Epoch milliseconds -> `20240101T000000Z`.
pub fn format_amz_date(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        let t = parse_amz_date("20240229T235959Z").unwrap();
        assert_eq!(t, 1_709_251_199_000);
        assert_eq!(format_amz_date(t), "20240229T235959Z");
        assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(format_amz_date(1_700_000_000_000), "20231114T221320Z");
        assert_eq!(format_amz_date(1_700_000_000_999), "20231114T221320Z");
    }

    #[test]
    fn malformed_amz_dates_are_refused() {
        for bad in [
            "2024-01-01",
            "20240101T000000",
            "20241301T000000Z",
            "20240101T250000Z",
            "2024010+T000000Z",
            "20240101X000000Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
            parse_amz_date("20150830T123600Z")
        );
        assert_eq!(parse_http_date("Sun, 30 Aug 2015 12:36:00 UTC"), None);
        assert_eq!(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"), None);
        assert_eq!(parse_http_date("30 Aug 2015 12:36:00 GMT"), None);
    }

    #[test]
    fn http_dates_with_years_past_four_digits_are_refused() {
        // Found by fuzzing (sigv4_header): the year overflowed the millisecond arithmetic.
        assert_eq!(parse_http_date(", 3 Aug 1200502015 2:3:0 GMT"), None);
        assert_eq!(
            parse_http_date("Sun, 30 Aug 999999999999999999 12:36:00 GMT"),
            None
        );
        assert_eq!(parse_http_date("Sun, 30 Aug 10000 12:36:00 GMT"), None);
        assert!(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").is_some());
    }
}
