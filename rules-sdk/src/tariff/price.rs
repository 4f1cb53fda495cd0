//! The pricing walk of a [`Tariff`] (see the module documentation).

use super::{Band, BandRule, Context, Cycle, Tariff, TiersRestart, TzRule};
use crate::fees::{FreeMode, Segment};
use crate::input::{Billing, DiscountValue};
use crate::money::Currency;
use crate::time::{Date, Timestamp, format_minutes};

const DAY: i64 = 86_400;
const MAX_PARTS_EXPLAINED: usize = 8;
/// The most parts a quote has (what the host accepts); a longer stay's are
/// grouped.
pub const MAX_SEGMENTS: usize = 64;

/// A priced stay: the fee, and how it came about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// The stay, in started minutes.
    pub minutes: u64,
    /// The fee for the whole stay.
    pub total: u64,
    /// Whether nothing was billed: the stay was within the free minutes,
    /// or discounted minutes covered it.
    pub free: bool,
    /// The price part by part: the units at each rate in order, then what
    /// band caps, discounts, daily, weekly and stay caps took off.
    pub segments: Vec<Segment>,
    /// The head of the explanation: the stay, the class, free and
    /// discounted minutes.
    head: String,
}

impl Priced {
    /// One trace line, e.g. `stay of 9h (class large): cycle 1: first 1h
    /// 10.00 + cycle 1: 8 x 1h 48.00 - cycle 1: daily cap 8.00 = 50.00 CNY`.
    pub fn explain(&self, currency: Currency) -> String {
        let m = |amount: i64| currency.major(amount.unsigned_abs(), true);
        let parts: Vec<&Segment> = self.segments.iter().filter(|s| s.amount != 0).collect();
        if parts.is_empty() {
            let why = self
                .segments
                .first()
                .map_or("nothing billed", |s| s.label.as_str());
            return format!("{}: {why}", self.head);
        }
        let mut line = self.head.clone();
        line.push_str(": ");
        for (i, part) in parts.iter().enumerate() {
            if i == MAX_PARTS_EXPLAINED && parts.len() > MAX_PARTS_EXPLAINED + 1 {
                let rest: i64 = parts[i..].iter().map(|p| p.amount).sum();
                line.push_str(&format!(
                    " {} {} more parts {}",
                    if rest < 0 { '-' } else { '+' },
                    parts.len() - i,
                    m(rest)
                ));
                break;
            }
            match (i, part.amount < 0) {
                (0, _) => {}
                (_, true) => line.push_str(" - "),
                (_, false) => line.push_str(" + "),
            }
            line.push_str(&format!("{} {}", part.label, m(part.amount)));
        }
        line.push_str(&format!(" = {} {currency}", m(self.total as i64)));
        line
    }
}

/// The lot's clock: a rule (with the year last read from it), or the
/// offset the entry was read at.
#[derive(Clone, Copy)]
enum Clock<'a> {
    Fixed(i32),
    Rule(
        &'a TzRule,
        &'a std::cell::Cell<Option<super::zone::YearRule>>,
    ),
}

impl Clock<'_> {
    fn offset(self, unix: i64) -> i32 {
        match self {
            Clock::Fixed(offset) => offset,
            Clock::Rule(rule, memo) => {
                let year = match memo.get() {
                    Some(y) if unix >= y.lo && unix < y.hi => y,
                    _ => {
                        let y = rule.year_of(unix);
                        memo.set(Some(y));
                        y
                    }
                };
                year.offset_at(unix)
            }
        }
    }
    fn instant(self, local: i64) -> i64 {
        match self {
            Clock::Fixed(offset) => local - i64::from(offset),
            Clock::Rule(rule, _) => rule.instant_by(local, |unix| self.offset(unix)),
        }
    }
    fn local_day(self, unix: i64) -> i64 {
        (unix + i64::from(self.offset(unix))).div_euclid(DAY)
    }
    fn timestamp(self, unix: i64) -> Timestamp {
        let offset = (self.offset(unix) / 60) as i16;
        Timestamp::from_unix(unix, offset).unwrap_or(Timestamp::EPOCH)
    }
}

/// One tier of a compiled rate: up to `end` seconds spent in the rate
/// this cycle, `amount` per started `unit`, or once without one.
#[derive(Clone, Copy)]
struct Tier {
    end: Option<i64>,
    unit: Option<i64>,
    amount: u64,
    what: What,
}

/// What a tier is, for its segment's label.
#[derive(Clone, Copy)]
enum What {
    First(u32),
    Steps,
    Tier(usize),
    Bracket(Option<u32>),
    Flat,
}

struct Rate<'a> {
    band: Option<&'a Band>,
    tiers: Vec<Tier>,
    flat: Option<u64>,
}

fn compile<'a>(
    band: Option<&'a Band>,
    first_period: Option<&crate::fees::FirstPeriod>,
    then: Option<&crate::fees::Step>,
    tiers: &[super::Tier],
    brackets: &[super::Bracket],
    flat: Option<u64>,
) -> Rate<'a> {
    let mut out = Vec::with_capacity(tiers.len().max(brackets.len()).max(2) + 1);
    if let (Some(first), Some(then)) = (first_period, then) {
        out.push(Tier {
            end: Some(i64::from(first.minutes) * 60),
            unit: None,
            amount: first.amount,
            what: What::First(first.minutes),
        });
        out.push(Tier {
            end: None,
            unit: Some(i64::from(then.every_minutes.max(1)) * 60),
            amount: then.amount,
            what: What::Steps,
        });
    }
    let mut end = 0i64;
    for (i, tier) in tiers.iter().enumerate() {
        let stop = tier.minutes.map(|m| {
            end += i64::from(m) * 60;
            end
        });
        out.push(Tier {
            end: stop,
            unit: tier.every_minutes.map(|e| i64::from(e.max(1)) * 60),
            amount: tier.amount,
            what: if tiers.len() == 1 && tier.every_minutes.is_some() {
                What::Steps
            } else {
                What::Tier(i)
            },
        });
    }
    let mut before = 0u64;
    for bracket in brackets {
        out.push(Tier {
            end: bracket.up_to_minutes.map(|m| i64::from(m) * 60),
            unit: None,
            amount: bracket.amount.saturating_sub(before),
            what: What::Bracket(bracket.up_to_minutes),
        });
        before = bracket.amount;
    }
    if out.last().is_some_and(|t| t.end.is_some()) {
        // Past the last closed tier or bracket, time costs nothing more.
        out.push(Tier {
            end: None,
            unit: None,
            amount: 0,
            what: What::Flat,
        });
    }
    Rate {
        band,
        tiers: out,
        flat,
    }
}

/// One occurrence of a band: `[start, end)`, from its start day.
#[derive(Clone, Copy)]
struct Occurrence {
    start: i64,
    end: i64,
    band: usize,
    day: i64,
}

/// A run of units at one rate and tier, in one cycle.
struct Run {
    rate: usize,
    tier: usize,
    cycle: usize,
    occurrence: Option<usize>,
    start: i64,
    end: i64,
    units: u64,
    amount: u64,
}

pub(super) fn price(
    top: &Tariff,
    entered_at: &Timestamp,
    left_at: &Timestamp,
    ctx: &Context,
    render: bool,
) -> Priced {
    let class = ctx.class.filter(|c| top.classes.contains_key(*c));
    let t = top.for_class(class);
    let memo = std::cell::Cell::new(None);
    let clock = match &top.time_zone {
        Some(rule) => Clock::Rule(rule, &memo),
        None => Clock::Fixed(i32::from(entered_at.offset_minutes()) * 60),
    };
    let t0 = entered_at.unix_seconds();
    let minutes = entered_at.minutes_until(left_at);
    let stay_end = t0 + i64::try_from(minutes).unwrap_or(i64::MAX / 4) * 60;
    let mut head = if render {
        format!("stay of {}", format_minutes(minutes))
    } else {
        String::new()
    };
    if let Some(class) = class
        && render
    {
        head.push_str(&format!(" (class {class})"));
    }
    if top.time_zone.is_none() && left_at.offset_minutes() != entered_at.offset_minutes() && render
    {
        head.push_str(&format!(
            " (the lot's offset changed during the stay; local times read at entry's {}: set fees.time_zone)",
            offset_text(entered_at.offset_minutes())
        ));
    }

    // Cycles, and what the plate's earlier stays in the first one count.
    let counts_earlier = t.cap_across_stays || t.accumulate_minutes;
    let anchor = match (t.cycle, counts_earlier) {
        (Cycle::Rolling24h, true) => chain_anchor(ctx, t0),
        _ => t0,
    };
    let cycles = Cycles {
        cycle: t.cycle,
        clock,
        anchor,
    };
    let (first_start, first_end) = cycles.containing(t0);
    let (mut earlier_paid, mut earlier_minutes) = (0u64, 0u64);
    if counts_earlier {
        for s in ctx.earlier_stays {
            let entered = s.entered_at.unix_seconds();
            if s.billing == Billing::Temporary
                && entered >= first_start
                && entered < first_end
                && entered < t0
            {
                earlier_paid = earlier_paid.saturating_add(s.paid_amount);
                earlier_minutes += s.entered_at.minutes_until(&s.left_at);
            }
        }
    }
    if !t.cap_across_stays {
        earlier_paid = 0;
    }
    if !t.accumulate_minutes {
        earlier_minutes = 0;
    }
    if earlier_minutes > 0 && render {
        head.push_str(&format!(
            " (+{} of earlier stays this cycle)",
            format_minutes(earlier_minutes)
        ));
    }

    let free = u64::from(t.free_minutes);
    if minutes + earlier_minutes <= free {
        return Priced {
            minutes,
            total: 0,
            free: true,
            segments: if render {
                vec![Segment {
                    label: format!("free within {}", format_minutes(free)),
                    start: *entered_at,
                    end: *left_at,
                    amount: 0,
                }]
            } else {
                Vec::new()
            },
            head,
        };
    }
    let mut segments = Vec::new();
    let deducted = match t.free_mode {
        FreeMode::Threshold => 0,
        FreeMode::Deduct => free.saturating_sub(earlier_minutes),
    };
    if deducted > 0 && render {
        head.push_str(&format!(", first {} free", format_minutes(deducted)));
    }
    let discounted: u64 = ctx
        .discounts
        .iter()
        .map(|d| match d.value {
            DiscountValue::Minutes { minutes } => u64::from(minutes),
            DiscountValue::Amount { .. } => 0,
        })
        .sum();
    let mut billing_start = t0 + i64::try_from(deducted).unwrap_or(0) * 60;
    if discounted > 0 {
        let from = billing_start;
        billing_start =
            billing_start.saturating_add(i64::try_from(discounted).unwrap_or(i64::MAX / 4) * 60);
        let sources: Vec<&str> = ctx
            .discounts
            .iter()
            .filter(|d| matches!(d.value, DiscountValue::Minutes { .. }))
            .map(|d| d.source.as_str())
            .collect();
        if render {
            head.push_str(&format!(
                ", {} off ({})",
                format_minutes(discounted),
                sources.join(", ")
            ));
        }
        if render {
            segments.push(Segment {
                label: format!(
                    "discount {}: {} not billed",
                    sources.join(", "),
                    format_minutes(discounted)
                ),
                start: clock.timestamp(from),
                end: clock.timestamp(billing_start.min(stay_end)),
                amount: 0,
            });
        }
    }
    if billing_start >= stay_end {
        return Priced {
            minutes,
            total: 0,
            free: true,
            segments,
            head,
        };
    }

    // The rates: the tariff's own, then each band's.
    let mut rates = Vec::with_capacity(t.bands.len() + 1);
    rates.push(compile(
        None,
        t.first_period.as_ref(),
        t.then.as_ref(),
        &t.tiers,
        &t.brackets,
        None,
    ));
    for band in &t.bands {
        rates.push(compile(
            Some(band),
            band.first_period.as_ref(),
            band.then.as_ref(),
            &band.tiers,
            &[],
            band.flat,
        ));
    }
    let occurrences = occurrences(t, &top.holidays, clock, t0, stay_end);
    let fixed = match t.band_rule {
        BandRule::Entry => Some(at(&occurrences, 0, t0)),
        BandRule::UnitStart => None,
    };

    // The walk.
    let mut runs: Vec<Run> = Vec::new();
    let mut elapsed = vec![i64::try_from(earlier_minutes).unwrap_or(0) * 60; rates.len()];
    let mut flat_paid: Vec<usize> = Vec::new();
    let mut cursor = billing_start;
    let mut cycle = 0usize;
    let (mut cycle_end, mut next_occurrence) = (first_end, 0usize);
    while cursor < stay_end {
        while cursor >= cycle_end {
            cycle += 1;
            cycle_end = cycles.after(cycle_end);
            if t.tiers_restart == TiersRestart::EachCycle {
                elapsed.fill(0);
            }
        }
        let (occurrence, piece_end) = match fixed {
            Some((occurrence, _)) => (occurrence, i64::MAX),
            None => {
                let found = at(&occurrences, next_occurrence, cursor);
                if let Some(o) = found.0 {
                    next_occurrence = o;
                }
                found
            }
        };
        let rate_index = occurrence.map_or(0, |o| occurrences[o].band + 1);
        let rate = &rates[rate_index];
        let hard_end = cycle_end.min(stay_end);
        if let Some(flat) = rate.flat {
            let stop = piece_end.min(hard_end);
            let o = occurrence.unwrap_or(usize::MAX);
            if !flat_paid.contains(&o) {
                flat_paid.push(o);
                runs.push(Run {
                    rate: rate_index,
                    tier: 0,
                    cycle,
                    occurrence,
                    start: cursor,
                    end: stop,
                    units: 1,
                    amount: flat,
                });
            }
            cursor = stop;
            continue;
        }
        let spent = elapsed[rate_index];
        let (tier_index, tier) = rate
            .tiers
            .iter()
            .enumerate()
            .find(|(_, tier)| tier.end.is_none_or(|end| spent < end))
            .map(|(i, tier)| (i, *tier))
            .unwrap_or((0, rate.tiers[0]));
        let hard = match tier.end {
            Some(end) => hard_end.min(cursor + (end - spent)),
            None => hard_end,
        };
        let (units, next) = match tier.unit {
            Some(unit) => {
                let soft = piece_end.min(hard);
                let units =
                    (soft - cursor).div_euclid(unit) + i64::from((soft - cursor) % unit != 0);
                (units as u64, (cursor + units * unit).min(hard))
            }
            None => (1, hard),
        };
        elapsed[rate_index] += next - cursor;
        let amount = tier.amount.saturating_mul(units);
        match runs.last_mut() {
            Some(last)
                if last.rate == rate_index
                    && last.tier == tier_index
                    && last.cycle == cycle
                    && last.end == cursor
                    && last.occurrence == occurrence =>
            {
                last.end = next;
                last.units += units;
                last.amount = last.amount.saturating_add(amount);
            }
            _ => runs.push(Run {
                rate: rate_index,
                tier: tier_index,
                cycle,
                occurrence,
                start: cursor,
                end: next,
                units,
                amount,
            }),
        }
        cursor = next;
    }
    let cycle_count = cycle + 1;

    // The parts, then the caps and discounts in their order; worded last,
    // once grouped.
    let mut parts: Vec<Part> = Vec::with_capacity(runs.len() + 8);
    let mut sums = vec![0u64; cycle_count];
    for run in &runs {
        sums[run.cycle] = sums[run.cycle].saturating_add(run.amount);
        parts.push(Part {
            kind: Kind::Run {
                rate: run.rate,
                tier: run.tier,
            },
            first: run.cycle,
            last: run.cycle,
            units: run.units,
            count: 1,
            day: 0,
            start: run.start,
            end: run.end,
            amount: signed(run.amount),
        });
    }
    let mut taken =
        |kind: Kind, (first, last): (usize, usize), day: i64, start: i64, end: i64, amount: u64| {
            if amount > 0 {
                parts.push(Part {
                    kind,
                    first,
                    last,
                    units: 0,
                    count: 1,
                    day,
                    start,
                    end,
                    amount: -signed(amount),
                });
            }
        };
    // Band caps, per occurrence, taken from its own runs, last first.
    if t.bands.iter().any(|b| b.cap.is_some()) {
        let mut spent = vec![(0u64, i64::MAX, i64::MIN); occurrences.len()];
        for run in &runs {
            if let Some(o) = run.occurrence {
                let s = &mut spent[o];
                *s = (
                    s.0.saturating_add(run.amount),
                    s.1.min(run.start),
                    s.2.max(run.end),
                );
            }
        }
        let mut excess: Vec<u64> = spent
            .iter()
            .zip(&occurrences)
            .map(|(s, occ)| {
                t.bands[occ.band]
                    .cap
                    .map_or(0, |cap| s.0.saturating_sub(cap))
            })
            .collect();
        for (o, occ) in occurrences.iter().enumerate() {
            taken(
                Kind::BandCap { band: occ.band },
                (0, 0),
                occ.day,
                spent[o].1,
                spent[o].2,
                excess[o],
            );
        }
        for run in runs.iter().rev() {
            if let Some(o) = run.occurrence {
                let off = excess[o].min(run.amount).min(sums[run.cycle]);
                sums[run.cycle] -= off;
                excess[o] -= off;
            }
        }
    }
    // Discount amounts, from the earliest cycles.
    for (i, d) in ctx.discounts.iter().enumerate() {
        let DiscountValue::Amount { amount } = d.value else {
            continue;
        };
        let mut left = amount;
        let mut off = 0;
        for sum in sums.iter_mut() {
            let part = left.min(*sum);
            *sum -= part;
            left -= part;
            off += part;
        }
        taken(Kind::Discount(i), (0, 0), 0, billing_start, stay_end, off);
    }
    // Daily caps, weekly caps, the stay cap.
    let bounds = cycles.bounds(first_start, cycle_count);
    if let Some(cap) = t.daily_cap {
        for (k, sum) in sums.iter_mut().enumerate() {
            let limit = if k == 0 {
                cap.saturating_sub(earlier_paid)
            } else {
                cap
            };
            if *sum > limit {
                let across = i64::from(k == 0 && earlier_paid > 0);
                taken(
                    Kind::Daily,
                    (k, k),
                    across,
                    bounds[k].max(billing_start),
                    bounds[k + 1],
                    *sum - limit,
                );
                *sum = limit;
            }
        }
    }
    if let Some(cap) = t.weekly_cap {
        for (w, week) in sums.chunks_mut(7).enumerate() {
            let total = week.iter().fold(0u64, |s, c| s.saturating_add(*c));
            if total > cap {
                let (a, b) = (w * 7, w * 7 + week.len());
                taken(
                    Kind::Weekly,
                    (a, b - 1),
                    0,
                    bounds[a].max(billing_start),
                    bounds[b],
                    total - cap,
                );
                let mut excess = total - cap;
                for sum in week.iter_mut().rev() {
                    let off = excess.min(*sum);
                    *sum -= off;
                    excess -= off;
                }
            }
        }
    }
    let mut total = sums.iter().fold(0u64, |s, c| s.saturating_add(*c));
    if let Some(cap) = t.stay_cap.filter(|cap| total > *cap) {
        taken(Kind::Stay, (0, 0), 0, billing_start, stay_end, total - cap);
        total = cap;
    }
    if !render {
        parts.clear();
    }
    if segments.len() + parts.len() > MAX_SEGMENTS {
        parts = group(parts);
    }
    let words = Words {
        t,
        rates: &rates,
        ctx,
        earlier_paid,
        many: cycle_count > 1,
    };
    segments.extend(parts.iter().map(|p| Segment {
        label: words.label(p),
        start: clock.timestamp(p.start),
        end: clock.timestamp(p.end.min(stay_end)),
        amount: p.amount,
    }));
    Priced {
        minutes,
        total,
        free: false,
        segments,
        head,
    }
}

/// What a part of the price is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Units at a rate's tier.
    Run { rate: usize, tier: usize },
    /// What a band's cap took off an occurrence.
    BandCap { band: usize },
    /// A discount amount (the context's discount at this index).
    Discount(usize),
    /// What the daily cap took off a cycle.
    Daily,
    /// What the weekly cap took off 7 cycles.
    Weekly,
    /// What the stay cap took off.
    Stay,
}

/// A part of the price before it is worded: of cycles `first..=last`,
/// `units` units, `count` parts grouped; `day` is a band cap's start day
/// (for a daily cap, 1 when earlier stays' payments lowered it).
#[derive(Debug, Clone, Copy)]
struct Part {
    kind: Kind,
    first: usize,
    last: usize,
    units: u64,
    count: usize,
    day: i64,
    start: i64,
    end: i64,
    amount: i64,
}

/// The parts of a long stay, grouped so a quote stays short: each rate and
/// tier over all cycles, each kind of cap, with their units summed.
fn group(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for p in parts {
        match out.iter_mut().find(|g| g.kind == p.kind) {
            Some(g) => {
                g.first = g.first.min(p.first);
                g.last = g.last.max(p.last);
                g.units += p.units;
                g.count += p.count;
                g.start = g.start.min(p.start);
                g.end = g.end.max(p.end);
                g.amount = g.amount.saturating_add(p.amount);
                g.day = 0;
            }
            None => out.push(p),
        }
    }
    out
}

/// How parts are worded in quotes and traces.
struct Words<'a> {
    t: &'a Tariff,
    rates: &'a [Rate<'a>],
    ctx: &'a Context<'a>,
    earlier_paid: u64,
    many: bool,
}

impl Words<'_> {
    fn cycles(&self, p: &Part) -> String {
        if p.first == p.last {
            format!("cycle {}", p.first + 1)
        } else {
            format!("cycles {}-{}", p.first + 1, p.last + 1)
        }
    }

    fn label(&self, p: &Part) -> String {
        match p.kind {
            Kind::Run { rate, tier } => self.run(&self.rates[rate], tier, p),
            Kind::BandCap { band } => {
                let b = &self.t.bands[band];
                if p.count == 1 {
                    format!(
                        "{} {}-{} of {}: band cap",
                        b.label,
                        b.from,
                        b.to,
                        Date::from_days_since_epoch(p.day)
                    )
                } else {
                    format!(
                        "{} {}-{}: band cap ({} times)",
                        b.label, b.from, b.to, p.count
                    )
                }
            }
            Kind::Discount(i) => format!("discount {}", self.ctx.discounts[i].source),
            Kind::Daily if p.count == 1 && p.day == 1 => format!(
                "{}: daily cap, less {} paid for earlier stays",
                self.cycles(p),
                self.earlier_paid
            ),
            Kind::Daily if p.count == 1 => format!("{}: daily cap", self.cycles(p)),
            Kind::Daily => format!("{}: daily cap ({} times)", self.cycles(p), p.count),
            Kind::Weekly => format!("cycles {}-{}: weekly cap", p.first + 1, p.last + 1),
            Kind::Stay => "stay cap".to_owned(),
        }
    }

    fn run(&self, rate: &Rate, tier: usize, p: &Part) -> String {
        let mut label = String::new();
        if self.many {
            label.push_str(&self.cycles(p));
        }
        if let Some(band) = rate.band {
            if !label.is_empty() {
                label.push(' ');
            }
            label.push_str(&format!("{} {}-{}", band.label, band.from, band.to));
        }
        if rate.flat.is_some() {
            label.push_str(": flat");
            return label;
        }
        let tier = &rate.tiers[tier];
        let unit = |u: Option<i64>| format_minutes(u.map_or(0, |s| (s / 60) as u64));
        let what = match tier.what {
            What::First(minutes) => format!("first {}", format_minutes(u64::from(minutes))),
            What::Steps => format!("{} x {}", p.units, unit(tier.unit)),
            What::Tier(i) => match tier.unit {
                Some(_) => format!("tier {} {} x {}", i + 1, p.units, unit(tier.unit)),
                None => format!("tier {}", i + 1),
            },
            What::Bracket(Some(up_to)) => format!("up to {}", format_minutes(u64::from(up_to))),
            What::Bracket(None) => "longest bracket".to_owned(),
            What::Flat => "beyond the last tier".to_owned(),
        };
        if label.is_empty() {
            what
        } else {
            format!("{label}: {what}")
        }
    }
}

fn signed(amount: u64) -> i64 {
    i64::try_from(amount).unwrap_or(i64::MAX)
}

fn offset_text(minutes: i16) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!(
        "{sign}{:02}:{:02}",
        minutes.unsigned_abs() / 60,
        minutes.unsigned_abs() % 60
    )
}

/// Where a 24-hour window across stays begins: at the first entry of the
/// chain of the plate's stays, each window starting with the first stay
/// that entered after the one before had ended.
fn chain_anchor(ctx: &Context, t0: i64) -> i64 {
    let mut entries: Vec<i64> = ctx
        .earlier_stays
        .iter()
        .filter(|s| s.billing == Billing::Temporary)
        .map(|s| s.entered_at.unix_seconds())
        .filter(|e| *e < t0)
        .collect();
    entries.sort_unstable();
    let mut anchor: Option<i64> = None;
    for e in entries {
        if anchor.is_none_or(|a| e >= a + DAY) {
            anchor = Some(e);
        }
    }
    match anchor {
        Some(a) if t0 < a + DAY => a,
        _ => t0,
    }
}

struct Cycles<'a> {
    cycle: Cycle,
    clock: Clock<'a>,
    anchor: i64,
}

impl Cycles<'_> {
    /// The start of the calendar cycle of local day `day`.
    fn reset(&self, day: i64, reset_minutes: u16) -> i64 {
        self.clock
            .instant(day * DAY + i64::from(reset_minutes) * 60)
    }

    /// The cycle `[start, end)` that holds `t`.
    fn containing(&self, t: i64) -> (i64, i64) {
        match self.cycle {
            Cycle::Rolling24h => {
                let k = (t - self.anchor).div_euclid(DAY);
                (self.anchor + k * DAY, self.anchor + (k + 1) * DAY)
            }
            Cycle::CalendarDay { reset_at } => {
                let r = reset_at.minutes();
                let day = self.clock.local_day(t);
                let here = self.reset(day, r);
                if t >= here {
                    (here, self.reset(day + 1, r).max(here + 1))
                } else {
                    (self.reset(day - 1, r), here)
                }
            }
        }
    }

    /// The end of the cycle that starts at `start`.
    fn after(&self, start: i64) -> i64 {
        self.containing(start).1.max(start + 1)
    }

    /// The first `count` cycles' boundaries, from `start`.
    fn bounds(&self, start: i64, count: usize) -> Vec<i64> {
        let mut out = Vec::with_capacity(count + 1);
        out.push(start);
        for _ in 0..count {
            let last = *out.last().unwrap_or(&start);
            out.push(self.after(last));
        }
        out
    }
}

/// Every occurrence of a band that may touch `[from, to)`, in order.
fn occurrences(t: &Tariff, holidays: &[Date], clock: Clock, from: i64, to: i64) -> Vec<Occurrence> {
    let mut out = Vec::new();
    if t.bands.is_empty() {
        return out;
    }
    let first = clock.local_day(from) - 1;
    let last = clock.local_day(to.max(from)) + 1;
    for day in first..=last {
        let date = Date::from_days_since_epoch(day);
        let holiday = holidays.binary_search(&date).is_ok();
        let weekday = date.weekday();
        let at_day = out.len();
        for (band, b) in t.bands.iter().enumerate() {
            let runs = b.days.is_empty() || b.days.iter().any(|k| k.contains(weekday, holiday));
            if !runs {
                continue;
            }
            let (f, e) = (i64::from(b.from.minutes()), i64::from(b.to.minutes()));
            let end_day = if e <= f { day + 1 } else { day };
            let start = clock.instant(day * DAY + f * 60);
            let end = clock.instant(end_day * DAY + e * 60);
            if end > start {
                out.push(Occurrence {
                    start,
                    end,
                    band,
                    day,
                });
            }
        }
        out[at_day..].sort_by_key(|o| o.start);
    }
    out
}

/// The occurrence in force at `t` (searching from `hint`), and when the
/// rate in force at `t` ends.
fn at(occurrences: &[Occurrence], hint: usize, t: i64) -> (Option<usize>, i64) {
    let mut next = i64::MAX;
    for (i, o) in occurrences
        .iter()
        .enumerate()
        .skip(hint.min(occurrences.len()))
    {
        if o.start <= t && t < o.end {
            return (Some(i), o.end);
        }
        if o.start > t {
            next = next.min(o.start);
            if o.start > t + 2 * DAY {
                break;
            }
        }
    }
    (None, next)
}
