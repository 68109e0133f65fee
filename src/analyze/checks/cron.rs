//! Whether a CronJob schedule is one the CronJob controller accepts: five fields (minute, hour,
//! day of month, month, day of week) with `*`, `?`, numbers, names, ranges, steps and lists, or a
//! descriptor (`@hourly`, `@every 1h30m`), as `robfig/cron`'s standard parser reads them.
//! No crate parses exactly this dialect (they add seconds, `L`, `W` or `#`), so it is written
//! out here.

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Why `schedule` is invalid, or `None` when the controller accepts it.
pub(crate) fn problem(schedule: &str) -> Option<String> {
    let schedule = schedule.trim();
    if schedule.starts_with("TZ=") || schedule.starts_with("CRON_TZ=") {
        return Some("a time zone in the schedule is not supported (use spec.timeZone)".into());
    }
    if let Some(descriptor) = schedule.strip_prefix('@') {
        return match descriptor {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => None,
            d if d.starts_with("every ") && duration_ok(d["every ".len()..].trim()) => None,
            _ => Some(format!("unrecognized descriptor: @{descriptor}")),
        };
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!("expected exactly 5 fields, found {}", fields.len()));
    }
    let bounds: [(u32, u32, &[&str]); 5] = [(0, 59, &[]), (0, 23, &[]), (1, 31, &[]), (1, 12, &MONTHS), (0, 6, &DAYS)];
    for (field, (lo, hi, names)) in fields.iter().zip(bounds) {
        for part in field.split(',') {
            if let Err(e) = range_ok(part, lo, hi, names) {
                return Some(format!("`{field}`: {e}"));
            }
        }
    }
    None
}

fn range_ok(part: &str, lo: u32, hi: u32, names: &[&str]) -> Result<(), String> {
    let (range, step) = match part.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (part, None),
    };
    if let Some(step) = step {
        let n: u32 = step.parse().map_err(|_| format!("step `{step}` is not a number"))?;
        if n == 0 {
            return Err("a step of 0".into());
        }
    }
    if range == "*" || range == "?" {
        return Ok(());
    }
    let (start, end) = match range.split_once('-') {
        Some((a, b)) => (value(a, lo, hi, names)?, Some(value(b, lo, hi, names)?)),
        None => (value(range, lo, hi, names)?, None),
    };
    if end.is_some_and(|e| e < start) {
        return Err(format!("range `{range}` ends before it starts"));
    }
    Ok(())
}

fn value(text: &str, lo: u32, hi: u32, names: &[&str]) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + lo);
    }
    let n: u32 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if n < lo || n > hi {
        return Err(format!("{n} is out of range [{lo}, {hi}]"));
    }
    Ok(n)
}

/// A Go duration: `1h30m`, `90s`, `1.5h`.
fn duration_ok(text: &str) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"].iter().find(|u| rest.starts_with(*u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn accepts_what_the_controller_accepts() {
        for ok in ["*/5 * * * *", "0 3 * * 1-5", "15,45 */2 1 jan-jun MON", "@hourly", "@every 1h30m", "0 0 ? * *"] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn rejects_what_it_rejects() {
        for bad in [
            "*/5 * * *",
            "61 * * * *",
            "* * 0 * *",
            "* * * 13 *",
            "@fortnightly",
            "*/0 * * * *",
            "TZ=UTC 0 * * * *",
            "5-1 * * * *",
            "a b c d e",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
