//! DeviceTLInfo reports (`cisco_itl::device_report`): the XML alarms, CUCM's
//! syslog lines and CSV exports in `tests/data/reports/` (see its README),
//! and the malformed inputs each is refused or reported for.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::device_report::{
    DeviceReports, DeviceTlInfo, Encoding, Format, Problem, ReportError, XmlError, parse,
};

const ITL: &str = "15092ad3a33b9e44b50a0aa4cdc32b588de87f52";
const CTL: &str = "83d86b1f20ca13cb42f9ee05b6a647025497858b";

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/reports/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn hex(h: Option<[u8; 20]>) -> Option<String> {
    h.map(|h| h.iter().map(|b| format!("{b:02x}")).collect())
}

/// (line, device, ITL hash, CTL hash) of each entry.
fn summary(r: &DeviceReports) -> Vec<(usize, &str, Option<String>, Option<String>)> {
    r.entries
        .iter()
        .map(|e: &DeviceTlInfo| {
            (
                e.line,
                e.device_name.as_str(),
                hex(e.itl_hash),
                hex(e.ctl_hash),
            )
        })
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn csv_in_alarm_order_reads_the_itl_column_not_the_ctl_one() {
    let r = parse(&data("alarm-order.csv")).unwrap();
    assert_eq!(r.format, Format::Csv { separator: b',' });
    assert_eq!(r.encoding, Encoding::Utf8);
    assert_eq!(
        summary(&r),
        vec![
            (2, "SEP0011215A1AE3", s(ITL), None),
            (3, "SEP001122334455", s(ITL), s(CTL)),
            (4, "SEP00AABBCCDDEE", None, None),
        ]
    );
    let first = &r.entries[0];
    assert_eq!(first.itl_tftp_server.as_deref(), Some("10.10.1.10"));
    assert_eq!(first.ctl_tftp_server, None);
    assert_eq!(first.status_code.as_deref(), Some("0"));
    assert!(first.itl_reported && first.ctl_reported);
    assert_eq!(r.entries[2].status_code.as_deref(), Some("1"));
    // 19 bytes: reported with its line, never an unknown hash.
    assert_eq!(
        r.problems,
        vec![Problem::BadHash {
            line: 5,
            device: "SEP00AABBCCDDEF".into(),
            field: "ITL_Signature",
            value: "9D 7D A7 3D 16 C1 50 1B 4D 27 DC 1E D7 92 11 F3 90 65 99".into(),
        }]
    );
    assert_eq!(
        r.problems[0].to_string(),
        "line 5: the ITL_Signature of SEP00AABBCCDDEF is not a SHA-1 (40 hex digits): \"9D 7D A7 3D 16 C1 50 1B 4D 27 DC 1E D7 92 11 F3 90 65 99\""
    );
}

#[test]
fn xml_alarms_as_the_phones_send_them() {
    let r = parse(&data("devicetlinfo.xml")).unwrap();
    assert_eq!(r.format, Format::Xml);
    assert_eq!(
        summary(&r),
        vec![
            (3, "SEP0011215A1AE3", s(ITL), None),
            (18, "SEP001122334455", s(ITL), s(CTL))
        ]
    );
    assert_eq!(
        r.entries[1].itl_tftp_server.as_deref(),
        Some("cucm-pub.example.com")
    );
    assert!(r.problems.is_empty());
}

#[test]
fn syslog_lines_in_each_form() {
    let r = parse(&data("cucm-syslog.txt")).unwrap();
    assert_eq!(r.format, Format::Syslog);
    assert_eq!(
        summary(&r),
        vec![
            (2, "SEP0011215A1AE3", s(ITL), None),
            (3, "SEP001122334455", s(ITL), s(CTL)),
            (4, "SEP00AABBCCDDEE", None, None),
        ]
    );
    assert_eq!(r.entries[1].ctl_tftp_server.as_deref(), Some("10.10.1.10"));
    assert_eq!(r.entries[1].status_code.as_deref(), Some("0"));
    assert_eq!(
        r.problems,
        vec![Problem::BadHash {
            line: 5,
            device: "SEP00AABBCCDDEF".into(),
            field: "ITL_Signature",
            value: "not-a-hash".into(),
        }]
    );
}

#[test]
fn excel_semicolons_in_windows_1252() {
    let r = parse(&data("excel-cp1252.csv")).unwrap();
    assert_eq!(r.format, Format::Csv { separator: b';' });
    assert_eq!(r.encoding, Encoding::Cp1252);
    assert_eq!(
        summary(&r),
        vec![
            (2, "SEP0011215A1AE3", s(ITL), None),
            (3, "SEP001122334455", s(ITL), s(CTL))
        ]
    );
    assert!(r.problems.is_empty());
}

#[test]
fn utf16_with_a_byte_order_mark_and_tabs() {
    let r = parse(&data("utf16.txt")).unwrap();
    assert_eq!(r.format, Format::Csv { separator: b'\t' });
    assert_eq!(r.encoding, Encoding::Utf16Le);
    assert_eq!(
        summary(&r),
        vec![
            (2, "SEP0011215A1AE3", s(ITL), None),
            (3, "SEP001122334455", None, None)
        ]
    );
    // Big-endian too.
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(
            "DeviceName,ITL_Signature\nSEPA,\n"
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        )
        .collect();
    let r = parse(&be).unwrap();
    assert_eq!(
        (r.encoding, summary(&r)),
        (Encoding::Utf16Be, vec![(2, "SEPA", None, None)])
    );
}

#[test]
fn malformed_xml_names_its_line_and_column() {
    assert_eq!(
        parse(&data("malformed.xml")),
        Err(ReportError::Xml {
            line: 6,
            column: 3,
            error: XmlError::Mismatched {
                expected: "ParameterList".into(),
                found: "Parameterlist".into()
            },
        })
    );
    let cases: [(&str, ReportError); 5] = [
        (
            "<x-cisco-alarm><Alarm Name=DeviceTLInfo>",
            ReportError::Xml {
                line: 1,
                column: 28,
                error: XmlError::BadAttribute,
            },
        ),
        (
            "<x-cisco-alarm>\n<Alarm Name=\"DeviceTLInfo\">",
            ReportError::Xml {
                line: 2,
                column: 28,
                error: XmlError::UnexpectedEnd("an element"),
            },
        ),
        (
            "<!DOCTYPE x [<!ENTITY a \"b\">]><x-cisco-alarm/>",
            ReportError::Xml {
                line: 1,
                column: 1,
                error: XmlError::Doctype,
            },
        ),
        (
            "<other/>",
            ReportError::Xml {
                line: 1,
                column: 1,
                error: XmlError::NotAnAlarm("other".into()),
            },
        ),
        (
            "<x-cisco-alarm>&nbsp;</x-cisco-alarm>",
            ReportError::Xml {
                line: 1,
                column: 16,
                error: XmlError::BadEntity,
            },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse(input.as_bytes()), Err(expected), "{input}");
    }
    let deep = "<x-cisco-alarm>".to_owned() + &"<a>".repeat(100);
    assert!(matches!(
        parse(deep.as_bytes()),
        Err(ReportError::Xml {
            error: XmlError::TooDeep,
            line: 1,
            ..
        })
    ));
}

#[test]
fn other_alarms_are_skipped() {
    let xml = "<x-cisco-alarm><Alarm Name=\"DeviceRegistered\"><ParameterList><String name=\"DeviceName\">SEPA</String></ParameterList></Alarm></x-cisco-alarm>";
    let r = parse(xml.as_bytes()).unwrap();
    assert!(r.entries.is_empty() && r.problems.is_empty());
}

#[test]
fn rows_that_cannot_be_read_are_problems_with_their_line() {
    let csv = "DeviceName;ITL_Signature;StatusCode\nSEPA;;0\n;15092ad3a33b9e44b50a0aa4cdc32b588de87f52;0\nSEPC\n\n\"SEP\"\"D\";zz;1\n";
    let r = parse(csv.as_bytes()).unwrap();
    assert_eq!(summary(&r), vec![(2, "SEPA", None, None)]);
    assert!(r.entries[0].itl_reported && !r.entries[0].ctl_reported);
    assert_eq!(
        r.problems,
        vec![
            Problem::NoDeviceName { line: 3 },
            Problem::FieldCount {
                line: 4,
                found: 1,
                needed: 3
            },
            Problem::BadHash {
                line: 6,
                device: "SEP\"D".into(),
                field: "ITL_Signature",
                value: "zz".into()
            },
        ]
    );
    assert_eq!(
        r.problems.iter().map(Problem::line).collect::<Vec<_>>(),
        [3, 4, 6]
    );
    // A quoted field spanning lines keeps the line count right.
    let csv = "DeviceName,Note,ITL_Signature\nSEPA,\"two\nlines\",\nSEPB,x,bad\n";
    let r = parse(csv.as_bytes()).unwrap();
    assert_eq!(
        r.problems.iter().map(Problem::line).collect::<Vec<_>>(),
        [4]
    );
    assert_eq!(
        parse(b"DeviceName,ITL_Signature\n\"SEPA,\n"),
        Err(ReportError::UnclosedQuote { line: 2 })
    );
}

#[test]
fn what_is_not_a_report_is_refused() {
    assert_eq!(
        parse(b"a,b\n1,2\n"),
        Err(ReportError::NoDeviceColumn {
            line: 1,
            header: "a,b".into()
        })
    );
    assert!(
        parse(b"a,b\n1,2\n")
            .unwrap_err()
            .to_string()
            .contains("device name column")
    );
    assert_eq!(
        parse(b"\nDevice Name,Model\nSEPA,8861\n"),
        Err(ReportError::NoHashColumn {
            line: 2,
            header: "Device Name,Model".into()
        })
    );
    assert_eq!(parse(b"hello"), Err(ReportError::UnknownFormat));
    assert_eq!(parse(b"\xff\xfe\x41"), Err(ReportError::OddUtf16));
    assert_eq!(
        parse(b"\xff\xfe\x0a\x00\x00\xd8"),
        Err(ReportError::BadUtf16 { line: 2 })
    );
    assert_eq!(
        parse(b"\xef\xbb\xbfDeviceName\n\xff"),
        Err(ReportError::BadUtf8 {
            line: 2,
            offset: 14
        })
    );
    let empty = parse(b"").unwrap();
    assert!(empty.entries.is_empty() && empty.problems.is_empty());
}

#[test]
fn a_legacy_itl_only_csv_reads() {
    // The audit's former columns: any device/name column, the first hash one.
    let r = parse(b"IP,Device Name,Model,ITL SHA1\n10.0.0.1,SEPA,8861,15:09:2A:D3:A3:3B:9E:44:B5:0A:0A:A4:CD:C3:2B:58:8D:E8:7F:52\n").unwrap();
    assert_eq!(summary(&r), vec![(2, "SEPA", s(ITL), None)]);
    assert!(!r.entries[0].ctl_reported);
}

#[test]
fn the_latest_report_of_each_device() {
    let log = format!(
        "x DeviceTLInfo: %[DeviceName=SEPA][ITL_Signature=]\nx DeviceTLInfo: %[DeviceName=SEPB][ITL_Signature=]\nx DeviceTLInfo: %[DeviceName=sepa][ITL_Signature={ITL}]\n"
    );
    let r = parse(log.as_bytes()).unwrap();
    let latest: Vec<_> = r
        .latest()
        .iter()
        .map(|e| (e.line, e.device_name.as_str(), hex(e.itl_hash)))
        .collect();
    assert_eq!(latest, vec![(3, "sepa", s(ITL)), (2, "SEPB", None)]);
}

#[test]
fn a_syslog_of_name_value_pairs_with_commas_is_not_a_csv() {
    let log = format!(
        "host: DeviceTLInfo DeviceName=SEPA, CTL_Signature=Not Installed, ITL_Signature={ITL}, StatusCode=0\n"
    );
    let r = parse(log.as_bytes()).unwrap();
    assert_eq!(r.format, Format::Syslog);
    assert_eq!(summary(&r), vec![(1, "SEPA", s(ITL), None)]);
    assert_eq!(r.entries[0].status_code.as_deref(), Some("0"));
}

#[test]
fn a_field_over_128_kib_is_refused_and_long_values_are_cut() {
    let csv = format!("DeviceName,ITL_Signature\nSEPA,{}\n", "a".repeat(200 << 10));
    assert_eq!(
        parse(csv.as_bytes()),
        Err(ReportError::FieldTooLong {
            line: 2,
            limit: 128 << 10
        })
    );
    let csv = format!(
        "DeviceName,ITL_Signature\nSEPA,\"{}\"\n",
        "a".repeat(200 << 10)
    );
    assert_eq!(
        parse(csv.as_bytes()),
        Err(ReportError::FieldTooLong {
            line: 2,
            limit: 128 << 10
        })
    );
    let csv = format!("DeviceName,ITL_Signature\nSEPA,{}\n", "é".repeat(100));
    let r = parse(csv.as_bytes()).unwrap();
    match &r.problems[..] {
        [Problem::BadHash { value, line: 2, .. }] => assert_eq!(*value, "é".repeat(64) + "…"),
        other => panic!("{other:?}"),
    }
}
