//! Paces writes once Microsoft has throttled them. Until the first 429 on a write, writes go as
//! fast as their answers come. From then on they leave at a learned rate: first the writes
//! Microsoft accepted in the second before that 429, then 10% less after each later throttling
//! episode, and 1% more per calm second. Honouring each `Retry-After` alone makes a run stop
//! and start (a pause, a burst, a 429, a pause…), losing a round trip per cycle; at a steady
//! pace just under the quota the 429s, and those pauses, mostly stop.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How far back "the writes accepted just before the 429" reaches.
const RECENT: Duration = Duration::from_secs(1);
/// The cut after each later throttling episode, and the growth per calm second.
const CUT: f64 = 0.9;
const GROWTH_PER_SECOND: f64 = 1.01;

#[derive(Default)]
pub(crate) struct WritePacer {
    state: Mutex<PacerState>,
}

#[derive(Default)]
struct PacerState {
    /// Writes per second; `None` until a write is throttled.
    rate: Option<f64>,
    /// When the next write may leave.
    next_slot: Option<Instant>,
    /// When accepted writes were answered, over the last [`RECENT`].
    accepted: VecDeque<Instant>,
    /// 429s before this instant belong to the episode already counted.
    episode_until: Option<Instant>,
    /// Since when no write has been throttled (for growth).
    calm_since: Option<Instant>,
    /// Counts throttling episodes: a write that waited through one takes a new turn.
    episode: u64,
}

impl WritePacer {
    fn state(&self) -> std::sync::MutexGuard<'_, PacerState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for this write's turn (at once while no write has been throttled). Turns taken
    /// before a throttling episode are taken again after it, at the new pace, so the writes
    /// that waited do not all leave together when the `Retry-After` ends.
    pub(crate) async fn wait_turn(&self) {
        loop {
            let (slot, episode) = {
                let mut s = self.state();
                let Some(rate) = s.rate else { return };
                let now = Instant::now();
                let slot = s.next_slot.map_or(now, |n| n.max(now));
                s.next_slot = Some(slot + Duration::from_secs_f64(1.0 / rate));
                (slot, s.episode)
            };
            tokio::time::sleep_until(slot).await;
            if self.state().episode == episode {
                return;
            }
        }
    }

    /// A write was answered without throttling.
    pub(crate) fn accepted(&self) {
        let now = Instant::now();
        let mut s = self.state();
        s.accepted.push_back(now);
        while s.accepted.front().is_some_and(|t| now.duration_since(*t) > RECENT) {
            s.accepted.pop_front();
        }
        if let (Some(rate), Some(calm)) = (s.rate, s.calm_since) {
            let calm_for = now.saturating_duration_since(calm);
            if calm_for >= Duration::from_secs(1) {
                s.rate = Some(rate * GROWTH_PER_SECOND.powf(calm_for.as_secs_f64().floor()));
                s.calm_since = Some(now);
            }
        }
    }

    /// A write was throttled; Microsoft asked for `retry_after`.
    pub(crate) fn throttled(&self, retry_after: Duration) {
        let now = Instant::now();
        let mut s = self.state();
        if s.episode_until.is_some_and(|until| now < until) {
            return;
        }
        let resume = now + retry_after;
        s.episode += 1;
        s.episode_until = Some(resume);
        s.calm_since = Some(resume);
        s.next_slot = Some(resume);
        let recent = s.accepted.iter().filter(|t| now.duration_since(**t) <= RECENT).count();
        s.rate = Some(match s.rate {
            None => (recent as f64 / RECENT.as_secs_f64()).max(1.0),
            Some(rate) => (rate * CUT).max(1.0),
        });
        tracing::info!(writes_per_second = s.rate, "writes throttled; pacing them");
    }

    /// The pace writes keep now (None: as fast as answers come).
    #[cfg(test)]
    fn rate(&self) -> Option<f64> {
        self.state().rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn learns_the_pace_from_the_first_429_then_cuts_and_grows() {
        let pacer = WritePacer::default();
        for _ in 0..20 {
            pacer.wait_turn().await;
            pacer.accepted();
        }
        assert_eq!(pacer.rate(), None, "no pacing before a 429");
        pacer.throttled(Duration::from_secs(1));
        assert_eq!(pacer.rate(), Some(20.0), "the writes accepted in the second before");
        pacer.throttled(Duration::from_secs(1));
        assert_eq!(pacer.rate(), Some(20.0), "one cut per episode");

        // The next writes wait out the Retry-After, then leave 50 ms apart.
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait_turn().await;
        }
        let spent = start.elapsed();
        assert!(
            spent >= Duration::from_millis(1200) && spent < Duration::from_millis(1250),
            "{spent:?}"
        );

        // Calm seconds grow the pace; a later episode cuts it.
        tokio::time::advance(Duration::from_secs(3)).await;
        pacer.accepted();
        let grown = pacer.rate().unwrap();
        assert!(grown > 20.0 && grown < 21.0, "{grown}");
        tokio::time::advance(Duration::from_secs(2)).await;
        pacer.throttled(Duration::from_secs(1));
        assert!((pacer.rate().unwrap() - grown * CUT).abs() < 1e-9);
    }
}
