//! The signals that stop a run with peers: SIGINT (Ctrl-C), SIGTERM (systemd,
//! Kubernetes, `docker stop`) and SIGHUP (the terminal went away) all mean "stop
//! reading, drain, flush, exit 0" (SPEC §8); a second one means "exit now".

/// Waits for any of the stopping signals.
pub(super) struct StopSignals {
    #[cfg(unix)]
    unix: [tokio::signal::unix::Signal; 3],
}

/// Exit codes for a second signal: 128 + the signal's number, as a shell reports it.
#[cfg(unix)]
const CODES: [i32; 3] = [130, 143, 129];

impl StopSignals {
    /// Installs the handlers (inside the runtime); `None` when the system refuses.
    pub(super) fn new() -> Option<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Some(StopSignals {
                unix: [
                    signal(SignalKind::interrupt()).ok()?,
                    signal(SignalKind::terminate()).ok()?,
                    signal(SignalKind::hangup()).ok()?,
                ],
            })
        }
        #[cfg(not(unix))]
        {
            Some(StopSignals {})
        }
    }

    /// The next stopping signal, as the exit code an immediate exit would use.
    pub(super) async fn next(&mut self) -> Option<i32> {
        #[cfg(unix)]
        {
            let [int, term, hup] = &mut self.unix;
            tokio::select! {
                s = int.recv() => s.map(|()| CODES[0]),
                s = term.recv() => s.map(|()| CODES[1]),
                s = hup.recv() => s.map(|()| CODES[2]),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.ok().map(|()| 130)
        }
    }
}
