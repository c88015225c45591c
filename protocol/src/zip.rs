//! A zip archive of stored (uncompressed) files, the container of results the manual names
//! `….zip` (JOB-03 訪問診療等 `OQSmuhvq02res_<受付番号>.zip`, JOB-05). Written by hand — the
//! format (PKWARE APPNOTE 6.3: local headers, central directory, end record; CRC-32 of ISO 3309)
//! is small — so no compression crate is needed; any unzip tool reads it.

/// CRC-32 (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320), as zip requires. Eight bytes a step
/// ("slicing-by-8": eight tables, no loop-carried table lookup per byte): a JOB-03 result of
/// 15 MB is zipped on every download, and the byte-at-a-time loop took most of it.
pub fn crc32(data: &[u8]) -> u32 {
    static TABLES: std::sync::OnceLock<[[u32; 256]; 8]> = std::sync::OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let mut t = [[0u32; 256]; 8];
        for (i, slot) in t[0].iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        // Table k: the CRC of a byte followed by k zero bytes.
        for k in 1..8 {
            let (done, rest) = t.split_at_mut(k);
            for (slot, &prev) in rest[0].iter_mut().zip(done[k - 1].iter()) {
                *slot = (prev >> 8) ^ done[0][(prev & 0xFF) as usize];
            }
        }
        t
    });
    let byte = |x: u32, n: u32| ((x >> (8 * n)) & 0xFF) as usize;
    let mut c = !0u32;
    let mut chunks = data.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        c = t[7][byte(lo, 0)]
            ^ t[6][byte(lo, 1)]
            ^ t[5][byte(lo, 2)]
            ^ t[4][byte(lo, 3)]
            ^ t[3][byte(hi, 0)]
            ^ t[2][byte(hi, 1)]
            ^ t[1][byte(hi, 2)]
            ^ t[0][byte(hi, 3)];
    }
    for &b in chunks.remainder() {
        c = t[0][((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// A DOS date and time (as zip stores them) from a `YYYYMMDDHHmmss` stamp; 1980-01-01 00:00
/// when the stamp cannot be read.
fn dos_time(stamp: &str) -> (u16, u16) {
    let n = |a: usize, b: usize| stamp.get(a..b).and_then(|s| s.parse::<u16>().ok());
    match (n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14)) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) if y >= 1980 => (
            (h << 11) | (mi << 5) | (s / 2),
            ((y - 1980) << 9) | (mo << 5) | d,
        ),
        _ => (0, (1 << 5) | 1),
    }
}

/// A zip holding `files` (name, bytes) stored uncompressed, dated `stamp` (`YYYYMMDDHHmmss`).
/// Names are written as UTF-8 (flag bit 11). Files over 4 GiB are not supported (no zip64):
/// results are far smaller.
pub fn stored_zip(files: &[(&str, &[u8])], stamp: &str) -> Vec<u8> {
    let (time, date) = dos_time(stamp);
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        le32(&mut out, 0x0403_4b50);
        for x in [20, 0x0800, 0, time, date] {
            le16(&mut out, x);
        }
        for x in [crc, size, size] {
            le32(&mut out, x);
        }
        le16(&mut out, name_len);
        le16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        le32(&mut central, 0x0201_4b50);
        for x in [20, 20, 0x0800, 0, time, date] {
            le16(&mut central, x);
        }
        for x in [crc, size, size] {
            le32(&mut central, x);
        }
        for x in [name_len, 0, 0, 0, 0] {
            le16(&mut central, x);
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for x in [0, 0, files.len() as u16, files.len() as u16] {
        le16(&mut out, x);
    }
    le32(&mut out, cd_size);
    le32(&mut out, cd_offset);
    le16(&mut out, 0);
    out
}

/// Reads back the files of a zip written by [`stored_zip`] (stored entries only), checking each
/// CRC; `None` for anything else. For tests and clients of the simulator.
pub fn read_stored_zip(zip: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let u16_at = |i: usize| zip.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |i: usize| {
        zip.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut files = Vec::new();
    let mut i = 0;
    while u32_at(i)? == 0x0403_4b50 {
        if u16_at(i + 8)? != 0 {
            return None;
        }
        let crc = u32_at(i + 14)?;
        let size = u32_at(i + 18)? as usize;
        let name_len = usize::from(u16_at(i + 26)?);
        let extra = usize::from(u16_at(i + 28)?);
        let name = String::from_utf8(zip.get(i + 30..i + 30 + name_len)?.to_vec()).ok()?;
        let start = i + 30 + name_len + extra;
        let data = zip.get(start..start + size)?.to_vec();
        if crc32(&data) != crc {
            return None;
        }
        files.push((name, data));
        i = start + size;
    }
    (u32_at(i)? == 0x0201_4b50).then_some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_eight_at_a_time_is_the_bitwise_crc() {
        // The definition, one bit at a time, against every length 0..=70 and a long run.
        fn bitwise(data: &[u8]) -> u32 {
            let mut c = !0u32;
            for &b in data {
                c ^= u32::from(b);
                for _ in 0..8 {
                    c = if c & 1 != 0 {
                        0xEDB8_8320 ^ (c >> 1)
                    } else {
                        c >> 1
                    };
                }
            }
            !c
        }
        let data: Vec<u8> = (0..10_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for n in 0..=70 {
            assert_eq!(crc32(&data[..n]), bitwise(&data[..n]), "length {n}");
        }
        for start in 0..8 {
            assert_eq!(
                crc32(&data[start..]),
                bitwise(&data[start..]),
                "from {start}"
            );
        }
    }

    #[test]
    fn crc32_check_value() {
        // The check value of CRC-32/ISO-HDLC (the zip CRC) for "123456789".
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn a_zip_reads_back_with_its_names_and_bytes() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg/>\n".as_bytes();
        let zip = stored_zip(
            &[("OQSmuhvq02res_20230825100000000_0001.xml", xml)],
            "20230825100000",
        );
        let files = read_stored_zip(&zip).expect("readable");
        assert_eq!(
            files,
            vec![(
                "OQSmuhvq02res_20230825100000000_0001.xml".to_owned(),
                xml.to_vec()
            )]
        );
        // End of central directory: one entry.
        let end = &zip[zip.len() - 22..];
        assert_eq!(&end[..4], &0x0605_4b50u32.to_le_bytes());
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 1);
        let mut broken = zip.clone();
        let at = 30 + "OQSmuhvq02res_20230825100000000_0001.xml".len();
        broken[at] ^= 1;
        assert!(
            read_stored_zip(&broken).is_none(),
            "a changed byte fails the CRC"
        );
    }

    #[test]
    fn dos_time_of_a_stamp() {
        let (time, date) = dos_time("20230825161218");
        assert_eq!(time >> 11, 16);
        assert_eq!((time >> 5) & 0x3F, 12);
        assert_eq!((time & 0x1F) * 2, 18);
        assert_eq!(date >> 9, 2023 - 1980);
        assert_eq!((date >> 5) & 0xF, 8);
        assert_eq!(date & 0x1F, 25);
        assert_eq!(dos_time("bad"), (0, 33));
    }
}
