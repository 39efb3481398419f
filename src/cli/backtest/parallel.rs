//! An ordered parallel map for backtests: one thread reads items from a
//! source into batches, `jobs` threads map the batches, and the caller's
//! thread hands the results to a sink strictly in input order.
//!
//! Memory is bounded whatever the input's size: a batch holds at most
//! [`Limits::batch_items`] items or [`Limits::batch_bytes`] bytes (by the
//! caller's weight; one item over it makes a batch alone), and at most
//! [`Limits::in_flight`] batches exist between the reader and the sink,
//! counting those waiting to be mapped and those mapped early that wait
//! for an earlier one to reach the sink. The reader waits for the sink to
//! take a batch before it reads another past that.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// How big a batch may grow and how many may be in flight.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Threads that map batches (at least 1).
    pub jobs: usize,
    pub batch_items: usize,
    pub batch_bytes: usize,
    /// Batches read and not yet taken by the sink (at least 1).
    pub in_flight: usize,
}

impl Limits {
    /// Batches of up to 64 items or 512 KiB; four batches per thread in
    /// flight, so a slow batch rarely stops the other threads.
    pub fn for_jobs(jobs: usize) -> Limits {
        let jobs = jobs.max(1);
        Limits {
            jobs,
            batch_items: 64,
            batch_bytes: 512 * 1024,
            in_flight: (4 * jobs).max(4),
        }
    }
}

/// Maps every item of `source` with `work` on `limits.jobs` threads and
/// calls `sink` with each batch's results in input order, together with
/// the source's position after the batch's last item (for progress).
///
/// `source` yields each item with its position (any growing number: bytes
/// read, messages read) or an error, which ends reading: the items read
/// before it still reach the sink, then that error is returned. An error
/// from `sink` stops everything and is returned.
pub fn ordered_map<I, O, S, W>(
    source: S,
    weight: impl Fn(&I) -> usize + Send,
    limits: Limits,
    work: W,
    mut sink: impl FnMut(Vec<O>, u64) -> anyhow::Result<()>,
) -> anyhow::Result<()>
where
    I: Send,
    O: Send,
    S: Iterator<Item = anyhow::Result<(I, u64)>> + Send,
    W: Fn(I) -> O + Sync,
{
    let jobs = limits.jobs.max(1);
    let in_flight = limits.in_flight.max(1);
    std::thread::scope(|scope| {
        // Batches to map, tagged with their sequence number.
        let (batch_tx, batch_rx) = mpsc::sync_channel::<(u64, Vec<I>, u64)>(in_flight);
        let batch_rx = Arc::new(Mutex::new(batch_rx));
        // Mapped batches, in whatever order they finish.
        let (done_tx, done_rx) = mpsc::channel::<(u64, Vec<O>, u64)>();
        // One token per batch allowed in flight: the reader takes one per
        // batch, the sink gives it back once it has taken the batch.
        let (token_tx, token_rx) = mpsc::sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            token_tx.send(()).expect("the token channel has room");
        }

        let reader = scope.spawn(move || -> anyhow::Result<()> {
            let mut seq = 0u64;
            let mut batch = Vec::new();
            let mut bytes = 0usize;
            let mut position = 0u64;
            // False once the other side is gone (the sink failed).
            let mut send = |batch: Vec<I>, position: u64| -> bool {
                if token_rx.recv().is_err() {
                    return false;
                }
                let sent = batch_tx.send((seq, batch, position)).is_ok();
                seq += 1;
                sent
            };
            for item in source {
                let (item, at) = match item {
                    Ok(x) => x,
                    Err(e) => {
                        // What was read before the error is still reported.
                        if !batch.is_empty() {
                            send(batch, position);
                        }
                        return Err(e);
                    }
                };
                bytes = bytes.saturating_add(weight(&item));
                batch.push(item);
                position = at;
                if batch.len() >= limits.batch_items || bytes >= limits.batch_bytes {
                    bytes = 0;
                    if !send(std::mem::take(&mut batch), position) {
                        return Ok(());
                    }
                }
            }
            if !batch.is_empty() {
                send(batch, position);
            }
            Ok(())
        });

        for _ in 0..jobs {
            let batch_rx = batch_rx.clone();
            let done_tx = done_tx.clone();
            let work = &work;
            scope.spawn(move || loop {
                let next = batch_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((seq, batch, position)) = next else {
                    return;
                };
                let out: Vec<O> = batch.into_iter().map(work).collect();
                if done_tx.send((seq, out, position)).is_err() {
                    return;
                }
            });
        }
        // The workers own the receiver now: when the last one stops, a
        // reader blocked on a full channel is released.
        drop(batch_rx);
        drop(done_tx);

        let mut result = Ok(());
        let mut waiting: BTreeMap<u64, (Vec<O>, u64)> = BTreeMap::new();
        let mut next = 0u64;
        'receive: for (seq, out, position) in done_rx.iter() {
            waiting.insert(seq, (out, position));
            while let Some((out, position)) = waiting.remove(&next) {
                next += 1;
                if let Err(e) = sink(out, position) {
                    result = Err(e);
                    break 'receive;
                }
                // The reader may be gone (it read everything): fine.
                let _ = token_tx.send(());
            }
        }
        // On a sink error, this stops the workers (their sends fail) and
        // the reader (no more tokens).
        drop(done_rx);
        drop(token_tx);
        let read = reader
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        result.and(read)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn numbers(n: u64) -> impl Iterator<Item = anyhow::Result<(u64, u64)>> + Send {
        (0..n).map(|i| Ok((i, i + 1)))
    }

    #[test]
    fn results_reach_the_sink_in_input_order() {
        for jobs in [1, 2, 3, 8] {
            let limits = Limits {
                jobs,
                batch_items: 3,
                batch_bytes: usize::MAX,
                in_flight: 5,
            };
            let mut got = Vec::new();
            let mut positions = Vec::new();
            ordered_map(
                numbers(1000),
                |_| 1,
                limits,
                |i| {
                    // Uneven work so that batches finish out of order.
                    if i % 7 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(300));
                    }
                    i * 2
                },
                |out, position| {
                    got.extend(out);
                    positions.push(position);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(got, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
            assert!(positions.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(positions.last(), Some(&1000));
        }
    }

    #[test]
    fn batches_in_flight_never_exceed_the_limit() {
        let read = AtomicUsize::new(0);
        let taken = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let limits = Limits {
            jobs: 4,
            batch_items: 2,
            batch_bytes: usize::MAX,
            in_flight: 3,
        };
        let source = (0..500u64).map(|i| {
            // Items read but not yet taken by the sink, the batch being
            // built included.
            let n = read.fetch_add(1, Ordering::SeqCst) + 1 - taken.load(Ordering::SeqCst);
            most.fetch_max(n, Ordering::SeqCst);
            Ok((i, i))
        });
        ordered_map(
            source,
            |_| 1,
            limits,
            |i| i,
            |out, _| {
                std::thread::sleep(std::time::Duration::from_micros(200));
                taken.fetch_add(out.len(), Ordering::SeqCst);
                Ok(())
            },
        )
        .unwrap();
        // Three batches of two in flight, plus the one being built.
        assert!(most.load(Ordering::SeqCst) <= 3 * 2 + 2, "{most:?}");
    }

    #[test]
    fn a_batch_closes_at_its_byte_weight() {
        let mut sizes = Vec::new();
        let limits = Limits {
            jobs: 2,
            batch_items: 100,
            batch_bytes: 10,
            in_flight: 2,
        };
        ordered_map(
            numbers(9),
            |i| if *i == 4 { 50 } else { 4 },
            limits,
            |i| i,
            |out, _| {
                sizes.push(out.len());
                Ok(())
            },
        )
        .unwrap();
        // 4+4+4, then item 3 and the heavy item 4, then 4+4+4, then one.
        assert_eq!(sizes, vec![3, 2, 3, 1]);
    }

    #[test]
    fn a_source_error_comes_after_the_items_before_it() {
        let source = (0..10u64).map(|i| {
            if i == 6 {
                Err(anyhow::anyhow!("broker gone"))
            } else {
                Ok((i, i))
            }
        });
        let mut got = Vec::new();
        let err = ordered_map(
            source,
            |_| 1,
            Limits::for_jobs(2),
            |i| i,
            |out, _| {
                got.extend(out);
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "broker gone");
        assert_eq!(got, vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_sink_error_stops_reading_and_is_returned() {
        let read = AtomicUsize::new(0);
        let source = (0..1_000_000u64).map(|i| {
            read.fetch_add(1, Ordering::SeqCst);
            Ok((i, i))
        });
        let limits = Limits {
            jobs: 2,
            batch_items: 10,
            batch_bytes: usize::MAX,
            in_flight: 4,
        };
        let mut calls = 0;
        let err = ordered_map(
            source,
            |_| 1,
            limits,
            |i| i,
            |_, _| {
                calls += 1;
                if calls == 3 {
                    anyhow::bail!("stdout closed")
                }
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "stdout closed");
        assert!(read.load(Ordering::SeqCst) < 1_000, "{read:?}");
    }
}
