//! The harness's ports: a parallel test, or the system itself, must never take the port a
//! portal or a child process is about to listen on (one collision fails a whole CI run).

use crate::common::{Options, TestApp, free_port, loopback_listener};
use reqwest::StatusCode;

#[tokio::test]
async fn the_portal_serves_on_the_listener_it_was_handed() {
    let listener = loopback_listener();
    let addr = listener.local_addr().unwrap();
    let app = TestApp::spawn_with(Options { listener: Some(listener), ..Default::default() }).await;
    assert_eq!(app.base, format!("http://{addr}"));
    assert_eq!(app.client().get("/livez").await.status(), StatusCode::OK);
}

#[test]
fn ports_for_child_processes_lie_below_the_ephemeral_range() {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let lowest_ephemeral: u16 = range.split_whitespace().next().unwrap().parse().unwrap();
    for _ in 0..50 {
        let port = free_port();
        assert!(port < lowest_ephemeral, "{port} is in the range the system hands out ({range})");
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "{port} is free");
    }
}
