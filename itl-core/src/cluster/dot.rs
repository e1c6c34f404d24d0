//! Who trusts whom, as a Graphviz DOT graph: each class of phones, the
//! identities its installed CTL and ITL let it trust, its TFTP node, and
//! the TVS servers of its group (green when the phone can authenticate
//! them, red when it cannot). Locked classes are drawn red.
//!
//! ```
//! use cisco_itl::cluster::Cluster;
//! let dot = Cluster::builtin()?.to_dot();
//! assert!(dot.starts_with("digraph trust {"));
//! assert!(dot.contains("\"class:pub-8841\" -> \"tftp:cucm-pub\""));
//! # Ok::<(), cisco_itl::cluster::ClusterError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use super::{Cluster, Servers};
use crate::function::Function;
use crate::phone::authenticate_tvs_certificate;
use crate::trust_list::TrustList;

/// Quotes a DOT identifier or label.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What a certificate is on the cluster, in words.
fn identity_of(servers: &Servers, der: &[u8]) -> String {
    for n in &servers.nodes {
        if n.callmanager.certificate().der() == der {
            return alloc::format!("CallManager.pem of {}", n.name);
        }
        if n.tvs.certificate().der() == der {
            return alloc::format!("TVS.pem of {}", n.name);
        }
    }
    if servers.recovery.certificate().der() == der {
        return "ITLRecovery of the publisher".into();
    }
    if servers.capf.certificate().der() == der {
        return "CAPF".into();
    }
    if let Some(i) = servers
        .etokens
        .iter()
        .position(|t| t.certificate().der() == der)
    {
        return alloc::format!("eToken {}", i + 1);
    }
    let hash = crate::digest::sha1(der);
    alloc::format!(
        "a certificate no longer on the cluster (SHA-1 {})",
        crate::hex::lower(hash.get(..6).unwrap_or(&[]))
    )
}

impl Cluster {
    /// The trust graph of the cluster as it stands, in Graphviz DOT.
    pub fn to_dot(&self) -> String {
        let mut out =
            String::from("digraph trust {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
        let mut identities: Vec<String> = Vec::new();
        for class in &self.classes {
            let servers = self.servers_of(class.site);
            let locked = class.phone.is_locked();
            let id = quote(&alloc::format!("class:{}", class.spec.name));
            let label = alloc::format!(
                "{}\n{} phones{}",
                class.spec.name,
                class.spec.count,
                if locked { "\nLOCKED" } else { "" }
            );
            let _ = writeln!(
                out,
                "  {id} [shape=box, label={}{}];",
                quote(&label),
                if locked {
                    ", color=red, fontcolor=red"
                } else {
                    ""
                }
            );
            let _ = writeln!(
                out,
                "  {id} -> {} [label=\"TFTP\"];",
                quote(&alloc::format!("tftp:{}", class.spec.tftp))
            );
            let lists: Vec<TrustList<'_>> = [class.phone.itl(), class.phone.ctl()]
                .into_iter()
                .flatten()
                .filter_map(|b| TrustList::parse(b).ok())
                .collect();
            for list in &lists {
                for r in list.records() {
                    let signs = r.has_function(Function::Sast)
                        || r.has_function(Function::CcmTftp)
                        || r.has_function(Function::Tftp);
                    let Some(der) = r.certificate().filter(|_| signs) else {
                        continue;
                    };
                    let who = identity_of(servers, der);
                    let target = quote(&alloc::format!("id:{who}"));
                    if !identities.contains(&who) {
                        let _ = writeln!(out, "  {target} [shape=ellipse, label={}];", quote(&who));
                        identities.push(who);
                    }
                    let _ = writeln!(out, "  {id} -> {target} [label=\"trusts\"];");
                }
            }
            for g in &class.spec.group {
                let Some(node) = servers.node(g).filter(|n| n.runs_tvs()) else {
                    continue;
                };
                let ok = authenticate_tvs_certificate(&lists, node.tvs.certificate().der()).is_ok();
                let _ = writeln!(
                    out,
                    "  {id} -> {} [label=\"TVS\", style=dashed, color={}];",
                    quote(&alloc::format!("tvs:{g}")),
                    if ok { "green" } else { "red" }
                );
            }
        }
        for n in &self.home.nodes {
            let _ = writeln!(
                out,
                "  {} [shape=box3d, label={}];",
                quote(&alloc::format!("tftp:{}", n.name)),
                quote(&alloc::format!("{}\nTFTP", n.name))
            );
            if n.tvs_service {
                let _ = writeln!(
                    out,
                    "  {} [shape=box3d, label={}];",
                    quote(&alloc::format!("tvs:{}", n.name)),
                    quote(&alloc::format!("{}\nTVS", n.name))
                );
            }
        }
        out.push_str("}\n");
        out
    }
}
