//! What goes wrong in a peer, as typed errors. Their texts are what users read: on
//! stderr when a run cannot start or must stop, in the `error` of an `err` record
//! for an event that could not be sent.

use super::codec::CodecError;
use super::interceptor::InterceptError;
use std::io;

/// A peer that cannot start, or cannot go on: the run stops with this text.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// A server cannot bind its address.
    #[error("peer `{peer}` cannot listen on {host}:{port}: {source}")]
    Listen {
        peer: String,
        host: String,
        port: u16,
        #[source]
        source: io::Error,
    },
    /// An input (a file, stdin) cannot be opened or read.
    #[error("cannot read {name}: {source}")]
    Read {
        name: String,
        #[source]
        source: io::Error,
    },
    /// An output file cannot be opened.
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },
    /// A client library refused the peer's settings (`action` says what failed).
    #[error("peer `{peer}`: {action}: {source}")]
    Client {
        peer: String,
        action: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The kind needs a cargo feature this build does not have.
    #[error("peer `{peer}`: this trickle was built without the `{feature}` feature")]
    NotBuilt { peer: String, feature: &'static str },
}

impl PeerError {
    /// [`PeerError::Read`] of the input called `name`.
    pub fn read(name: impl Into<String>) -> impl FnOnce(io::Error) -> PeerError {
        let name = name.into();
        move |source| PeerError::Read { name, source }
    }
}

/// A value that could not become bytes for its stream: its codec or one of its
/// interceptors refused it (sending it again would fail again).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Intercept(#[from] InterceptError),
}

/// Bytes a connection could not send (the connection broke).
#[derive(Debug, thiserror::Error)]
#[error("cannot send on peer `{peer}`: {source}")]
pub struct SendError {
    pub peer: String,
    #[source]
    pub source: TransportError,
}

/// The transport's own error.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Ws(Box<tokio_tungstenite::tungstenite::Error>),
}

impl From<tokio_tungstenite::tungstenite::Error> for TransportError {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> Self {
        TransportError::Ws(Box::new(e))
    }
}

/// A client's connection attempt that failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect to {host}:{port}: {source}")]
    Tcp {
        host: String,
        port: u16,
        #[source]
        source: io::Error,
    },
    #[error("cannot open a WebSocket to {url}: {source}")]
    Ws {
        url: String,
        #[source]
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
    /// The attempt's task ended without an answer.
    #[error(transparent)]
    Task(#[from] tokio::task::JoinError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_what_users_read() {
        let e = PeerError::Listen {
            peer: "up".into(),
            host: "127.0.0.1".into(),
            port: 80,
            source: io::Error::new(io::ErrorKind::AddrInUse, "in use"),
        };
        assert_eq!(
            e.to_string(),
            "peer `up` cannot listen on 127.0.0.1:80: in use"
        );
        let e = PeerError::read("a.json")(io::Error::new(io::ErrorKind::NotFound, "gone"));
        assert_eq!(e.to_string(), "cannot read a.json: gone");
        let e = PeerError::NotBuilt {
            peer: "k".into(),
            feature: "kafka",
        };
        assert_eq!(
            e.to_string(),
            "peer `k`: this trickle was built without the `kafka` feature"
        );
        let e = EncodeError::from(CodecError::decode("json", "bad", b""));
        assert_eq!(e.to_string(), "json codec: bad");
        let e = SendError {
            peer: "c".into(),
            source: io::Error::new(io::ErrorKind::BrokenPipe, "broken").into(),
        };
        assert_eq!(e.to_string(), "cannot send on peer `c`: broken");
    }
}
