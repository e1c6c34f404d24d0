//! "Will this lock my phones?" — the cluster what-if simulator.
//!
//! With no arguments it runs on the built-in three-node cluster (100,000
//! phones in 20 classes): what a host name change on the publisher does,
//! then the safe plan for it.
//!
//! ```text
//! cargo run --features cluster --example whatif
//! cargo run --features cluster --example whatif -- [--cluster CLUSTER.toml] [--json] OPERATION...
//! cargo run --features cluster --example whatif -- [--cluster CLUSTER.toml] [--json] --plan GOAL [--steps N]
//! cargo run --features cluster --example whatif -- [--cluster CLUSTER.toml] --dot [OPERATION...]
//! cargo run --features cluster --example whatif -- --cucm-version 12.5     # the built-in cluster under 12.5 rules
//! cargo run --features cluster --example whatif -- --collected DIR [--overlay OVERLAY.toml] OPERATION...
//! ```
//!
//! Exit status: 0 when no phone ends locked (or a safe plan exists), 1
//! when phones lock (or no safe plan exists), 2 on a usage or description
//! error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use cisco_itl::cluster::{Cluster, Goal, Operation};

struct Args {
    cluster: Option<PathBuf>,
    json: bool,
    dot: bool,
    plan: Option<String>,
    steps: usize,
    ops: Vec<String>,
    version: Option<String>,
    collected: Option<PathBuf>,
    overlay: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        cluster: None,
        json: false,
        dot: false,
        plan: None,
        steps: 5,
        ops: Vec::new(),
        version: None,
        collected: None,
        overlay: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--cluster" => args.cluster = Some(it.next().ok_or("--cluster needs a file")?.into()),
            "--cucm-version" => {
                args.version = Some(it.next().ok_or("--cucm-version needs a version")?)
            }
            "--collected" => {
                args.collected = Some(it.next().ok_or("--collected needs a folder")?.into())
            }
            "--overlay" => args.overlay = Some(it.next().ok_or("--overlay needs a file")?.into()),
            "--json" => args.json = true,
            "--dot" => args.dot = true,
            "--plan" => args.plan = Some(it.next().ok_or("--plan needs a goal")?),
            "--steps" => {
                args.steps = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--steps needs a number")?
            }
            "-h" | "--help" => return Err(String::new()),
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => args.ops.push(a),
        }
    }
    Ok(args)
}

fn run(args: Args) -> Result<bool, String> {
    let started = Instant::now();
    let cluster = match (&args.collected, &args.cluster, &args.version) {
        (Some(dir), _, _) => Cluster::from_collected(dir, args.overlay.as_deref()),
        (None, Some(path), None) => Cluster::from_path(path),
        (None, Some(path), Some(v)) => std::fs::read_to_string(path)
            .map_err(|e| format!("{}: {e}", path.display()))
            .and_then(|text| {
                Cluster::from_toml(&format!("cucm-version = {v:?}\n{text}"), path.parent())
                    .map_err(|e| e.to_string())
            })
            .map_err(cisco_itl::cluster::ClusterError::Description),
        (None, None, None) => Cluster::builtin(),
        (None, None, Some(v)) => Cluster::from_toml(
            &format!(
                "cucm-version = {v:?}\n{}",
                cisco_itl::cluster::describe::BUILTIN
            ),
            None,
        ),
    }
    .map_err(|e| e.to_string())?;
    let built = started.elapsed();
    let ops: Vec<Operation> = args
        .ops
        .iter()
        .map(|o| o.parse())
        .collect::<Result<_, _>>()
        .map_err(|e: cisco_itl::cluster::OperationParseError| e.to_string())?;
    if args.dot {
        let mut after = cluster.clone();
        for op in &ops {
            after.apply(op).map_err(|e| e.to_string())?;
        }
        after.boot();
        print!("{}", after.to_dot());
        return Ok(true);
    }
    let demo = args.cluster.is_none()
        && args.collected.is_none()
        && args.ops.is_empty()
        && args.plan.is_none();
    if !args.json {
        println!(
            "Cluster: {} nodes ({}), {} phones in {} classes, built in {:.0} ms.\n",
            cluster.servers().nodes().len(),
            cluster
                .servers()
                .nodes()
                .iter()
                .map(|n| n.name())
                .collect::<Vec<_>>()
                .join(", "),
            cluster.phone_count(),
            cluster.classes().len(),
            built.as_secs_f64() * 1e3
        );
    }
    let mut fine = true;
    let whatif_ops = if demo {
        vec![Operation::RegenerateBoth {
            node: "cucm-pub".into(),
        }]
    } else {
        ops
    };
    if !whatif_ops.is_empty() {
        let t = Instant::now();
        let report = cluster.whatif(&whatif_ops).map_err(|e| e.to_string())?;
        let took = t.elapsed();
        if args.json {
            println!("{}", report.to_json());
        } else {
            print!("{report}");
            println!("\nSimulated in {:.0} ms.\n", took.as_secs_f64() * 1e3);
        }
        fine &= report.locked() == 0;
    }
    let goal = match (&args.plan, demo) {
        (Some(g), _) => Some(g.parse::<Goal>().map_err(|e| e.to_string())?),
        (None, true) => Some(Goal::NewHostname {
            node: "cucm-pub".into(),
        }),
        (None, false) => None,
    };
    if let Some(goal) = goal {
        let t = Instant::now();
        let plan = cluster.plan(&goal, args.steps).map_err(|e| e.to_string())?;
        let took = t.elapsed();
        if args.json {
            println!("{}", plan.to_json());
        } else {
            print!("{plan}");
            println!("Planned in {:.0} ms.", took.as_secs_f64() * 1e3);
        }
        fine = if demo { plan.safe } else { fine && plan.safe };
    }
    Ok(fine)
}

fn main() -> ExitCode {
    match parse_args() {
        Err(message) => {
            if !message.is_empty() {
                eprintln!("whatif: {message}");
            }
            eprintln!(
                "usage: whatif [--cluster CLUSTER.toml | --collected DIR [--overlay OVERLAY.toml]] [--cucm-version V] [--json] [--dot] [--plan GOAL [--steps N]] [OPERATION...]"
            );
            ExitCode::from(2)
        }
        Ok(args) => match run(args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(message) => {
                eprintln!("whatif: {message}");
                ExitCode::from(2)
            }
        },
    }
}
