//! Schedules go through `gdsn_schedule::Schedule::parse`: crontab lines, seconds-first expressions,
//! keywords, and a time zone that is checked on its own field.

use gdsn_config::Transport;

use crate::util::{invalid, valid};

fn inbox(schedule: &str, extra: &str) -> String {
    format!(
        "[[connections]]\nname = \"a\"\nkind = \"http_inbox\"\nschedule = \"{schedule}\"\n{extra}http = {{ base_url = \"https://pool.example/\" }}\n"
    )
}

#[test]
fn every_accepted_form_loads() {
    for expression in ["*/15 * * * *", "0 */15 * * * *", "0 0 12 * * * 2099", "@daily", "30 2 * * 1-5"] {
        let config = valid(&inbox(expression, ""));
        let poll = config.connections[0].poll().unwrap();
        assert_eq!(poll.schedule.expression(), expression);
        assert_eq!(poll.schedule.time_zone(), "UTC");
    }
}

#[test]
fn the_time_zone_is_applied_to_the_schedule() {
    let config = valid(&inbox("30 2 * * *", "time_zone = \"Europe/Paris\"\njitter_secs = 45\n"));
    let poll = config.connections[0].poll().unwrap();
    assert_eq!(poll.schedule.time_zone(), "Europe/Paris");
    assert_eq!(poll.jitter.as_secs(), 45);
    let saturday = "2026-03-28T12:00:00Z".parse().unwrap();
    // 02:30 does not exist in Paris on 2026-03-29: the run happens when the clocks jump.
    assert_eq!(poll.schedule.next_after(saturday), Some("2026-03-29T01:00:00Z".parse().unwrap()));
}

#[test]
fn a_bad_time_zone_is_reported_on_its_own_field_and_the_schedule_still_checked() {
    let message = invalid(&inbox("61 * * * *", "time_zone = \"Europe/Pariss\"\n"));
    assert!(
        message.contains(":5:13: connections[0].time_zone: unknown time zone \"Europe/Pariss\""),
        "{message}"
    );
    assert!(message.contains(":4:12: connections[0].schedule: invalid cron expression"), "{message}");
}

#[test]
fn drop_folders_scan_every_ten_seconds_unless_told_otherwise() {
    let config = valid(
        "[[connections]]\nname = \"d\"\nkind = \"drop_folder\"\ndrop_folder = { inbox = \"/srv/in\" }\n",
    );
    let Transport::DropFolder { poll, .. } = &config.connections[0].transport else { panic!() };
    assert_eq!(poll.schedule.expression(), "*/10 * * * * *");
}

#[test]
fn malformed_expressions_are_refused() {
    for (expression, fragment) in [
        ("* * *", "has 3 fields"),
        ("*/0 * * * *", "invalid cron expression"),
        ("@fortnightly", "invalid cron expression"),
        ("0 0 31 2 * *", ""),
    ] {
        match crate::util::load(&inbox(expression, "")) {
            Err(error) => assert!(error.to_string().contains(fragment), "{expression}: {error}"),
            // A schedule that parses but never fires (31 February) is the daemon's to log; it is not
            // a syntax error.
            Ok(_) => assert!(fragment.is_empty(), "{expression} was accepted"),
        }
    }
}
