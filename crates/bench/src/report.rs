//! Results: one row per scenario, as a table and as JSON lines.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};

/// Per-core ceilings from docs/performance.md (the ceilings bench, 2-vCPU EPYC box).
pub const DEFAULT_CEILINGS: [(&str, f64); 4] = [
    ("password_login_ceiling", 53.3),
    ("srp_login_ceiling", 159.0),
    ("refresh_ceiling", 735.0),
    ("get_user_ceiling", 40_644.0),
];

pub fn default_ceilings() -> BTreeMap<String, f64> {
    DEFAULT_CEILINGS
        .iter()
        .map(|(name, v)| (name.to_string(), *v))
        .collect()
}

/// Reads the JSON lines `cargo bench -p cognitod-crypto --bench ceilings` prints
/// (`{"bench":"ceilings","name":..,"per_core_per_s":..}`); other lines are ignored.
pub fn parse_ceilings(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line.trim()).ok())
        .filter(|v| v["bench"] == "ceilings")
        .filter_map(|v| {
            Some((
                v["name"].as_str()?.to_string(),
                v["per_core_per_s"].as_f64()?,
            ))
        })
        .collect()
}

pub fn load_ceilings(path: Option<&Path>) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut ceilings = default_ceilings();
    if let Some(path) = path {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading --ceilings {}", path.display()))?;
        let read = parse_ceilings(&text);
        anyhow::ensure!(
            !read.is_empty(),
            "--ceilings {}: no ceilings JSON lines",
            path.display()
        );
        ceilings.extend(read);
    }
    Ok(ceilings)
}

/// How per-core figures were obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PerCoreBasis {
    /// ok per CPU-second of the server process.
    ServerCpu,
    /// ok/s divided by the machine's cores.
    BoxCores(usize),
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub scenario: &'static str,
    pub skipped: Option<String>,
    pub connections: usize,
    pub seconds: f64,
    pub ok: u64,
    pub requests: u64,
    pub connects: u64,
    pub server_cpu_s: Option<f64>,
    pub client_cpu_s: f64,
    pub server_rss_kib: Option<u64>,
    pub ceiling_name: Option<&'static str>,
    pub ceiling: Option<f64>,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: BTreeMap<String, u64>,
    pub per_core: Option<f64>,
}

impl Row {
    pub fn ok_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.ok as f64 / self.seconds
        } else {
            0.0
        }
    }

    /// Fills `per_core` on `basis`.
    pub fn compute_per_core(&mut self, basis: PerCoreBasis) {
        self.per_core = match basis {
            PerCoreBasis::ServerCpu => self
                .server_cpu_s
                .filter(|cpu| *cpu > 0.0)
                .map(|cpu| self.ok as f64 / cpu),
            PerCoreBasis::BoxCores(cores) => Some(self.ok_per_s() / cores.max(1) as f64),
        };
    }

    pub fn fraction(&self) -> Option<f64> {
        Some(self.per_core? / self.ceiling?)
    }

    pub fn json(&self, basis: PerCoreBasis) -> Value {
        if let Some(reason) = &self.skipped {
            return json!({"bench": "load", "scenario": self.scenario, "skipped": reason});
        }
        let round = |v: f64, digits: i32| {
            let f = 10f64.powi(digits);
            (v * f).round() / f
        };
        json!({
            "bench": "load",
            "scenario": self.scenario,
            "connections": self.connections,
            "seconds": round(self.seconds, 3),
            "ok": self.ok,
            "ok_per_s": round(self.ok_per_s(), 1),
            "per_core_ok_per_s": self.per_core.map(|v| round(v, 1)),
            "per_core_basis": match basis {
                PerCoreBasis::ServerCpu => "server_cpu".to_string(),
                PerCoreBasis::BoxCores(n) => format!("box_cores/{n}"),
            },
            "ceiling": self.ceiling_name,
            "ceiling_per_core": self.ceiling,
            "fraction_of_ceiling": self.fraction().map(|v| round(v, 3)),
            "p50_ms": round(self.p50_ms, 3),
            "p90_ms": round(self.p90_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "errors": self.errors,
            "requests": self.requests,
            "new_connections": self.connects,
            "server_cpu_s": self.server_cpu_s.map(|v| round(v, 2)),
            "client_cpu_s": round(self.client_cpu_s, 2),
            "server_rss_kib": self.server_rss_kib,
        })
    }
}

fn thousands(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

fn rate(v: f64) -> String {
    if v >= 1000.0 {
        thousands(v, 0)
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The table, as Markdown.
pub fn table(rows: &[Row], basis: PerCoreBasis) -> String {
    let mut out = String::new();
    let per_core = match basis {
        PerCoreBasis::ServerCpu => "per-core = ok per CPU-second of the server process".into(),
        PerCoreBasis::BoxCores(n) => format!("per-core = ok/s ÷ {n} cores of this machine"),
    };
    out.push_str(&format!(
        "{per_core}; CPU columns are cores busy on average\n\n"
    ));
    out.push_str("| scenario | ok/s | per-core ok/s | ceiling/core | of ceiling | p50 ms | p90 ms | p99 ms | server CPU | client CPU | errors |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for row in rows {
        if let Some(reason) = &row.skipped {
            out.push_str(&format!(
                "| {} | skipped: {reason} | | | | | | | | | |\n",
                row.scenario
            ));
            continue;
        }
        let opt =
            |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map(f).unwrap_or_else(|| "–".into());
        let errors = if row.errors.is_empty() {
            "0".to_string()
        } else {
            row.errors
                .iter()
                .map(|(k, n)| format!("{n} × {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {} |\n",
            row.scenario,
            rate(row.ok_per_s()),
            opt(row.per_core, &rate),
            opt(row.ceiling, &rate),
            opt(row.fraction(), &|f| format!("{:.0} %", f * 100.0)),
            row.p50_ms,
            row.p90_ms,
            row.p99_ms,
            opt(row.server_cpu_s.map(|c| c / row.seconds), &|c| format!(
                "{c:.2}"
            )),
            row.client_cpu_s / row.seconds,
            errors,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_lines() {
        let text = "some header\n\
            {\"bench\":\"ceilings\",\"name\":\"refresh_ceiling\",\"micros_per_op\":1360.3,\"per_core_per_s\":735.1}\n\
            {\"bench\":\"other\",\"name\":\"x\",\"per_core_per_s\":1}\n";
        let read = parse_ceilings(text);
        assert_eq!(read.len(), 1);
        assert_eq!(read["refresh_ceiling"], 735.1);
    }

    #[test]
    fn per_core_and_fraction() {
        let mut row = Row {
            scenario: "refresh",
            seconds: 10.0,
            ok: 6000,
            server_cpu_s: Some(15.0),
            ceiling: Some(735.0),
            ..Row::default()
        };
        row.compute_per_core(PerCoreBasis::ServerCpu);
        assert_eq!(row.per_core, Some(400.0));
        assert!((row.fraction().unwrap() - 400.0 / 735.0).abs() < 1e-9);
        row.compute_per_core(PerCoreBasis::BoxCores(2));
        assert_eq!(row.per_core, Some(300.0));
        assert!(
            table(&[row.clone()], PerCoreBasis::BoxCores(2))
                .contains("| refresh | 600 | 300 | 735 | 41 % |")
        );
        assert_eq!(row.json(PerCoreBasis::BoxCores(2))["ok_per_s"], 600.0);
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(40644.2, 0), "40,644");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(rate(53.26), "53.3");
        assert_eq!(rate(1234567.0), "1,234,567");
    }
}
