//! Event time end to end (SPEC §7.1): the section's example, run as written
//! through `trickle run` with a `tcp_server` peer and two connections on
//! 127.0.0.1 (port picked free at run time; every wait has a deadline).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::Shutdown;

use support::*;

const MIN: u64 = 60_000_000_000;

#[test]
fn sessions_on_the_events_own_clock_over_two_connections() {
    let d = dir("sessions");
    let port = free_port();
    let q = write(
        &d,
        "q.trickle",
        &format!(
            r#"
define peer upstream from tcp_server with config = {{"port": {port}}} end;
create peer upstream;
define window visit from session
with gap = datetime::with_minutes(30), time = event.ts, delay = datetime::with_seconds(10),
     lateness = datetime::with_minutes(5), late = "too_late"
end;
create stream too_late;
select {{"user": group[0], "from": aggr::win::start(), "to": aggr::win::end(), "pages": aggr::stats::count()}}
from upstream[visit] group by set(event.user) into out;
select event from too_late into err;
"#
        ),
    );
    let mut t = Trickle::start(&[&q]);
    let mut stdout = BufReader::new(t.child.stdout.take().unwrap());
    let line = |user: &str, ts: u64| format!("{{\"user\":\"{user}\",\"ts\":{ts}}}\n");
    let session = |user: &str, from: u64, to: u64, pages: u64| {
        format!("{{\"user\":\"{user}\",\"from\":{from},\"to\":{to},\"pages\":{pages}}}\n")
    };
    let mut a = connect(port);
    a.write_all(line("ann", 0).as_bytes()).unwrap();
    a.write_all(line("ann", 10 * MIN).as_bytes()).unwrap();
    // two hours later on ann's clock: her first session [0, 40 min) closes
    a.write_all(line("ann", 120 * MIN).as_bytes()).unwrap();
    let mut got = String::new();
    stdout.read_line(&mut got).unwrap();
    assert_eq!(got, session("ann", 0, 40 * MIN, 2));
    // it was kept for 5 minutes of event time only: this one is late
    a.write_all(line("ann", MIN).as_bytes()).unwrap();
    // a second connection: the watermark is the smaller of the two streams' until
    // `a` ends; then `b`'s alone, which closes both open sessions, by end
    let mut b = connect(port);
    b.write_all(line("bob", 119 * MIN).as_bytes()).unwrap();
    a.shutdown(Shutdown::Write).unwrap();
    b.write_all(line("bob", 200 * MIN).as_bytes()).unwrap();
    got.clear();
    stdout.read_line(&mut got).unwrap();
    stdout.read_line(&mut got).unwrap();
    assert_eq!(
        got,
        session("bob", 119 * MIN, 149 * MIN, 1) + &session("ann", 120 * MIN, 150 * MIN, 1)
    );
    b.shutdown(Shutdown::Write).unwrap();
    let (code, _, err) = t.interrupt();
    assert_eq!(code, 0, "{err}");
    let mut rest = String::new();
    while stdout.read_line(&mut rest).unwrap_or(0) > 0 {}
    // drained at the end: bob's last session
    assert_eq!(rest, session("bob", 200 * MIN, 230 * MIN, 1));
    assert!(
        err.contains(&format!("{{\"user\":\"ann\",\"ts\":{MIN}}}")),
        "{err}"
    );
}
