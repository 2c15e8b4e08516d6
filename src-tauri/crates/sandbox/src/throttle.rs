//! Throttling shaped like Graph's identity and access limits: a resource-unit budget per
//! app and tenant over a sliding 10-second window (its size set by the tenant's user count),
//! and a write budget per app and tenant over 150 seconds — or, for benchmarks against other
//! Graph-compatible servers' shape, a write quota as a token bucket.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ThrottleConfig {
    pub enabled: bool,
    /// Resource units per window; `None` = Graph's figure for the tenant's size
    /// (3,500 under 50 users, 5,000 up to 500, 8,000 above).
    pub resource_units: Option<u32>,
    /// Writes per write window (Graph: 3,000 per 150 s per app and tenant).
    pub writes: u32,
    /// Divides both windows, to compress time in benchmarks while keeping the limit's shape.
    pub time_scale: f64,
    /// Instead of the windowed write budget: a token bucket (not Graph's documented shape; what
    /// some Graph-compatible servers and gateways enforce).
    pub write_bucket: Option<WriteBucket>,
}

/// Writes refill at `per_second`, up to `burst` saved up.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WriteBucket {
    pub per_second: f64,
    pub burst: u32,
}

/// A token bucket's state: tokens left at `at`.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Takes one token if there is one; otherwise how long until there is.
    fn take(&mut self, now: Instant, shape: WriteBucket) -> Result<(), Duration> {
        let refill = now.duration_since(self.at).as_secs_f64() * shape.per_second;
        self.tokens = (self.tokens + refill).min(f64::from(shape.burst));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / shape.per_second.max(f64::MIN_POSITIVE),
            ))
        }
    }
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            resource_units: None,
            writes: 3000,
            time_scale: 1.0,
            write_bucket: None,
        }
    }
}

const RU_WINDOW: Duration = Duration::from_secs(10);
const WRITE_WINDOW: Duration = Duration::from_secs(150);

/// Graph's resource-unit budget for a tenant of this many users.
pub(crate) fn tenant_budget(users: usize) -> u32 {
    match users {
        0..=49 => 3500,
        50..=500 => 5000,
        _ => 8000,
    }
}

#[derive(Default)]
struct Window {
    spent: VecDeque<(Instant, u32)>,
}

impl Window {
    fn used(&mut self, now: Instant, len: Duration) -> u32 {
        while self.spent.front().is_some_and(|(t, _)| now.duration_since(*t) >= len) {
            self.spent.pop_front();
        }
        self.spent.iter().map(|(_, c)| c).sum()
    }

    /// How long until `need` more units fit under `limit`.
    fn wait_for(&self, now: Instant, len: Duration, limit: u32, need: u32) -> Duration {
        let mut used: u32 = self.spent.iter().map(|(_, c)| c).sum();
        for (t, c) in &self.spent {
            if used + need <= limit {
                break;
            }
            used -= c;
            if used + need <= limit {
                return (*t + len).saturating_duration_since(now);
            }
        }
        Duration::ZERO
    }
}

#[derive(Default)]
pub(crate) struct Budgets {
    per_app: HashMap<String, (Window, Window)>,
    buckets: HashMap<String, Bucket>,
}

/// The outcome of asking for budget.
pub(crate) enum Decision {
    /// Go ahead; `percentage` is how much of the RU budget is now used (0.0–1.0+).
    Allowed { percentage: f64 },
    /// Refused: try again after this long.
    Throttled { retry_after: Duration },
}

impl Budgets {
    pub fn charge(&mut self, app: &str, cost: u32, is_write: bool, cfg: &ThrottleConfig, users: usize) -> Decision {
        if !cfg.enabled {
            return Decision::Allowed { percentage: 0.0 };
        }
        let scale = if cfg.time_scale > 0.0 { cfg.time_scale } else { 1.0 };
        let ru_len = RU_WINDOW.div_f64(scale);
        let write_len = WRITE_WINDOW.div_f64(scale);
        let limit = cfg.resource_units.unwrap_or_else(|| tenant_budget(users));
        let now = Instant::now();
        let (ru, writes) = self.per_app.entry(app.to_string()).or_default();
        let used = ru.used(now, ru_len);
        if used + cost > limit {
            return Decision::Throttled {
                retry_after: ru.wait_for(now, ru_len, limit, cost),
            };
        }
        if let (true, Some(shape)) = (is_write, cfg.write_bucket) {
            let bucket = self.buckets.entry(app.to_string()).or_insert(Bucket {
                tokens: f64::from(shape.burst),
                at: now,
            });
            if let Err(retry_after) = bucket.take(now, shape) {
                return Decision::Throttled { retry_after };
            }
        } else if is_write {
            let w = writes.used(now, write_len);
            if w + 1 > cfg.writes {
                return Decision::Throttled {
                    retry_after: writes.wait_for(now, write_len, cfg.writes, 1),
                };
            }
            writes.spent.push_back((now, 1));
        }
        ru.spent.push_back((now, cost));
        Decision::Allowed {
            percentage: f64::from(used + cost) / f64::from(limit.max(1)),
        }
    }
}

/// What a request costs, as Graph documents for users: a list 2, anything else 1 (writes 1);
/// `$select` takes one off (never below 1), `$expand` adds one.
pub(crate) fn cost(is_collection_read: bool, has_select: bool, has_expand: bool) -> u32 {
    let base: i32 = if is_collection_read { 2 } else { 1 };
    let adjusted = base - i32::from(has_select) + i32::from(has_expand);
    adjusted.max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_by_tenant_size() {
        assert_eq!(tenant_budget(14), 3500);
        assert_eq!(tenant_budget(50), 5000);
        assert_eq!(tenant_budget(501), 8000);
    }

    #[test]
    fn costs() {
        assert_eq!(cost(true, false, false), 2);
        assert_eq!(cost(true, true, false), 1);
        assert_eq!(cost(false, true, false), 1);
        assert_eq!(cost(false, false, true), 2);
    }

    #[test]
    fn refuses_over_budget_with_a_wait_within_the_window() {
        let cfg = ThrottleConfig {
            resource_units: Some(5),
            ..Default::default()
        };
        let mut b = Budgets::default();
        for _ in 0..5 {
            assert!(matches!(b.charge("app", 1, false, &cfg, 10), Decision::Allowed { .. }));
        }
        match b.charge("app", 1, false, &cfg, 10) {
            Decision::Throttled { retry_after } => {
                assert!(retry_after > Duration::from_secs(9) && retry_after <= RU_WINDOW)
            }
            _ => panic!("expected throttling"),
        }
        // Another app has its own budget.
        assert!(matches!(
            b.charge("other", 1, false, &cfg, 10),
            Decision::Allowed { .. }
        ));
    }

    #[test]
    fn write_budget_is_separate() {
        let cfg = ThrottleConfig {
            writes: 2,
            ..Default::default()
        };
        let mut b = Budgets::default();
        assert!(matches!(b.charge("a", 1, true, &cfg, 10), Decision::Allowed { .. }));
        assert!(matches!(b.charge("a", 1, true, &cfg, 10), Decision::Allowed { .. }));
        assert!(matches!(b.charge("a", 1, true, &cfg, 10), Decision::Throttled { .. }));
        assert!(matches!(b.charge("a", 1, false, &cfg, 10), Decision::Allowed { .. }));
    }

    #[test]
    fn a_write_bucket_allows_its_burst_then_its_rate() {
        let cfg = ThrottleConfig {
            write_bucket: Some(WriteBucket {
                per_second: 20.0,
                burst: 20,
            }),
            ..Default::default()
        };
        let mut b = Budgets::default();
        for _ in 0..20 {
            assert!(matches!(b.charge("a", 1, true, &cfg, 10), Decision::Allowed { .. }));
        }
        match b.charge("a", 1, true, &cfg, 10) {
            Decision::Throttled { retry_after } => assert!(retry_after <= Duration::from_millis(50)),
            _ => panic!("the burst is spent"),
        }
        assert!(
            matches!(b.charge("a", 1, false, &cfg, 10), Decision::Allowed { .. }),
            "reads are not writes"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(
            matches!(b.charge("a", 1, true, &cfg, 10), Decision::Allowed { .. }),
            "one token refilled"
        );
    }

    #[test]
    fn disabled_never_throttles() {
        let cfg = ThrottleConfig {
            enabled: false,
            resource_units: Some(0),
            ..Default::default()
        };
        let mut b = Budgets::default();
        assert!(matches!(b.charge("a", 1, true, &cfg, 10), Decision::Allowed { .. }));
    }
}
