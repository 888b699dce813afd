//! The OpenAPI document describes every route the API router has, with the same methods.

use std::collections::BTreeSet;

/// `(path, method)` pairs declared in `server/src/api/mod.rs`, and the OAuth endpoints of
/// `server/src/oauth.rs` (nested under `/oauth`, outside the API's base path).
fn routed() -> BTreeSet<(String, String)> {
    let mut pairs = routes_of(include_str!("../../src/api/mod.rs"), "");
    pairs.extend(routes_of(include_str!("../../src/oauth.rs"), "/oauth"));
    pairs
}

fn routes_of(source: &str, prefix: &str) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    let mut rest = source;
    while let Some(start) = rest.find(".route(") {
        rest = &rest[start + 7..];
        let end = rest.find("\n        .").unwrap_or(rest.len());
        let call = &rest[..end];
        let path = format!("{prefix}{}", call.split('"').nth(1).expect("route path literal"));
        for method in ["get", "post", "put", "patch", "delete"] {
            if call.contains(&format!("{method}(")) {
                pairs.insert((path.clone(), method.to_owned()));
            }
        }
    }
    pairs
}

#[test]
fn every_route_is_documented() {
    let document: serde_json::Value = serde_json::from_str(include_str!("../../src/api/openapi.json")).unwrap();
    let routes = routed();
    assert!(routes.len() > 10, "parsed the router: {routes:?}");
    assert!(routes.contains(&("/oauth/introspect".to_owned(), "post".to_owned())), "{routes:?}");
    for (path, method) in &routes {
        assert!(document["paths"][path][method].is_object(), "{} {path} is not in openapi.json", method.to_uppercase());
    }
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys().filter(|k| *k != "servers") {
            assert!(
                routes.contains(&(path.clone(), method.clone())),
                "openapi.json documents {method} {path}, which has no route"
            );
        }
    }
}
