//! Browser tests of the delivery queue's persistence over the real localStorage in headless
//! Chromium: what one page queued is there for the next page (a "reload" is a fresh queue
//! object over the same storage), tabs appending at once lose nothing, and the host page's
//! own keys are never touched.
#![cfg(target_arch = "wasm32")]

use touchpoint::delivery::consent::{Category, Consent};
use touchpoint::delivery::lease::{Lease, LeaseConfig, LeaseKeeper, LeaseStep};
use touchpoint::delivery::queue::{drop_report, reported_drops, Queue};
use touchpoint::delivery::store::KeyValue;
use touchpoint::effects::storage::LocalStore;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn local() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
}

/// A publishable key of its own per test, and an empty storage for it.
fn env(name: &str) -> String {
    let env = format!("pk_test_{name}");
    let store = LocalStore::open();
    for k in store.keys(&format!("touchpoint:{env}:")) {
        store.remove(&k);
    }
    env
}

fn event(n: u64) -> (String, String) {
    let id = touchpoint_core::event::uuid_v7(1_795_392_000_000 + n as i64, [n as u8; 10]);
    let json = format!(r#"{{"id":"{id}","type":"track","n":{n}}}"#);
    (id, json)
}

fn push(q: &mut Queue<LocalStore>, n: u64, category: Category) {
    let (id, json) = event(n);
    q.push(&id, category, &json).expect("queued");
}

#[wasm_bindgen_test]
fn local_store_is_the_real_local_storage() {
    let store = LocalStore::open();
    assert!(store.is_persistent());
    store.set("touchpoint:probe", "1").expect("write");
    assert_eq!(
        local()
            .get_item("touchpoint:probe")
            .ok()
            .flatten()
            .as_deref(),
        Some("1")
    );
    store.remove("touchpoint:probe");
    assert_eq!(store.get("touchpoint:probe"), None);
}

#[wasm_bindgen_test]
fn the_queue_survives_a_reload() {
    let env = env("reload");
    let mut page = Queue::new(LocalStore::open(), &env, 1_000);
    for n in 0..5 {
        push(&mut page, n, Category::Service);
    }
    drop(page);
    // The next page load: a fresh queue object over the same localStorage.
    let mut next = Queue::new(LocalStore::open(), &env, 1_000);
    let entries = next.entries();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0].json, event(0).1, "oldest first, JSON verbatim");
    next.remove(entries.iter().map(|e| e.id.as_str()));
    assert!(Queue::new(LocalStore::open(), &env, 1_000)
        .entries()
        .is_empty());
}

#[wasm_bindgen_test]
fn two_tabs_appending_while_one_sends_lose_nothing() {
    let env = env("tabs");
    let mut a = Queue::new(LocalStore::open(), &env, 1_000);
    let mut b = Queue::new(LocalStore::open(), &env, 1_000);
    for n in 0..40 {
        if n % 2 == 0 {
            push(&mut a, n, Category::Service);
        } else {
            push(&mut b, n, Category::Service);
        }
    }
    // a sends the first 30 and removes them once confirmed; b appends in between.
    let sent: Vec<String> = a.entries().into_iter().take(30).map(|e| e.id).collect();
    push(&mut b, 100, Category::Service);
    a.remove(sent.iter().map(String::as_str));
    let left: Vec<String> = b.entries().into_iter().map(|e| e.id).collect();
    assert_eq!(left.len(), 11);
    assert!(left.contains(&event(100).0));
}

#[wasm_bindgen_test]
fn the_bound_is_held_by_the_sender_and_reported_by_an_event() {
    let env = env("bound");
    let mut q = Queue::new(LocalStore::open(), &env, 3);
    for n in 0..5 {
        push(&mut q, n, Category::Service);
    }
    // The lease holder lists the queue (in the next page, say) and trims it.
    let mut again = Queue::new(LocalStore::open(), &env, 3);
    let mut all = again.entries();
    assert_eq!(again.trim(&mut all, &[]), 2);
    let ids: Vec<String> = again.entries().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![event(2).0, event(3).0, event(4).0]);
    let id = touchpoint_core::uuid::Uuid::v7(1_795_392_000_010, [7; 10]);
    let report = drop_report(id, 1_795_392_000_010, "anon-1", 2);
    again
        .push(&report.id, report.category, &report.json)
        .expect("queued");
    let last = again.entries().pop().expect("the report");
    assert_eq!(
        reported_drops(&last.json),
        Some(2),
        "JSON.stringify kept it readable"
    );
}

#[wasm_bindgen_test]
fn consent_none_clears_only_touchpoint_keys() {
    let env = env("consent");
    local()
        .set_item("host:setting", "keep me")
        .expect("host key");
    let mut q = Queue::new(LocalStore::open(), &env, 1_000);
    push(&mut q, 1, Category::Service);
    push(&mut q, 2, Category::Marketing);
    assert_eq!(q.apply_consent(Consent::Essential), 1);
    assert_eq!(q.apply_consent(Consent::None), 1);
    assert!(LocalStore::open()
        .keys(&format!("touchpoint:{env}:"))
        .is_empty());
    assert_eq!(
        local().get_item("host:setting").ok().flatten().as_deref(),
        Some("keep me")
    );
    let _ = local().remove_item("host:setting");
}

#[wasm_bindgen_test]
fn a_lease_stored_by_one_tab_holds_off_another() {
    let env = env("lease");
    let key = format!("touchpoint:{env}:lease");
    let store = LocalStore::open();
    let read = || store.get(&key).and_then(|v| Lease::from_json(&v));
    let mut a = LeaseKeeper::new("a", LeaseConfig::default());
    let mut b = LeaseKeeper::new("b", LeaseConfig::default());
    let LeaseStep::Claim(claim) = a.step(read().as_ref(), 1_000) else {
        panic!("a claims a free lease");
    };
    store.set(&key, &claim.to_json()).expect("stored");
    assert!(matches!(
        a.step(read().as_ref(), 1_300),
        LeaseStep::Owner { .. }
    ));
    assert!(matches!(
        b.step(read().as_ref(), 1_300),
        LeaseStep::Wait { .. }
    ));
    // a goes away and releases it: b may claim at once.
    if a.leave(read().as_ref()) {
        store.remove(&key);
    }
    assert!(matches!(
        b.step(read().as_ref(), 1_400),
        LeaseStep::Claim(_)
    ));
}
