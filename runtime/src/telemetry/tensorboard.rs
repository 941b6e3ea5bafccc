//! TensorBoard event files: scalars only, written by hand (TFRecord framing
//! with masked CRC32C around `tensorflow.Event` protobufs), so `tensorboard
//! --logdir` shows a run's curves without a protobuf dependency.
//!
//! Record: `u64` length (little endian), masked CRC32C of those 8 bytes, the
//! data, masked CRC32C of the data. Data: an `Event` with `wall_time` (field
//! 1, double), `step` (2, varint) and either `file_version` (3, string) or
//! a `Summary` (5) holding one `Value` with `tag` (1, string) and
//! `simple_value` (2, float).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Appends scalar events to one event file.
pub struct EventFileWriter {
    file: BufWriter<File>,
    path: PathBuf,
}

impl std::fmt::Debug for EventFileWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventFileWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EventFileWriter {
    /// Creates `events.out.tfevents.{secs}.{host}` in `dir` (and the folder)
    /// and writes the file-version record TensorBoard expects first.
    pub fn create(dir: &Path, wall_time: f64) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!(
            "events.out.tfevents.{}.{}",
            wall_time as u64,
            crate::host_name()
        ));
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let mut writer = Self {
            file: BufWriter::new(file),
            path,
        };
        let mut event = Vec::with_capacity(32);
        put_double(&mut event, 1, wall_time);
        put_bytes(&mut event, 3, b"brain.Event:2");
        writer.record(&event)?;
        Ok(writer)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one scalar.
    pub fn add_scalar(
        &mut self,
        tag: &str,
        step: u64,
        value: f64,
        wall_time: f64,
    ) -> std::io::Result<()> {
        let mut value_message = Vec::with_capacity(tag.len() + 8);
        put_bytes(&mut value_message, 1, tag.as_bytes());
        put_float(&mut value_message, 2, value as f32);
        let mut summary = Vec::with_capacity(value_message.len() + 4);
        put_bytes(&mut summary, 1, &value_message);
        let mut event = Vec::with_capacity(summary.len() + 24);
        put_double(&mut event, 1, wall_time);
        put_varint_field(&mut event, 2, step);
        put_bytes(&mut event, 5, &summary);
        self.record(&event)
    }

    /// Writes buffered records to the file.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }

    fn record(&mut self, data: &[u8]) -> std::io::Result<()> {
        let length = (data.len() as u64).to_le_bytes();
        self.file.write_all(&length)?;
        self.file.write_all(&masked_crc(&length).to_le_bytes())?;
        self.file.write_all(data)?;
        self.file.write_all(&masked_crc(data).to_le_bytes())
    }
}

/// TFRecord's masked CRC32C.
pub fn masked_crc(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_varint_field(out: &mut Vec<u8>, field: u32, value: u64) {
    put_varint(out, u64::from(field) << 3);
    put_varint(out, value);
}

fn put_double(out: &mut Vec<u8>, field: u32, value: f64) {
    put_varint(out, (u64::from(field) << 3) | 1);
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_float(out: &mut Vec<u8>, field: u32, value: f32) {
    put_varint(out, (u64::from(field) << 3) | 5);
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_varint(out, (u64::from(field) << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3720's CRC-32C check value and test vectors (published, not
    /// computed here).
    #[test]
    fn crc32c_matches_the_published_vectors() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(crc32c::crc32c(&[0u8; 32]), 0x8a91_36aa);
        assert_eq!(crc32c::crc32c(&[0xffu8; 32]), 0x62a8_ab43);
        let ascending: Vec<u8> = (0..32).collect();
        assert_eq!(crc32c::crc32c(&ascending), 0x46dd_794e);
    }

    /// The same events written by TensorBoard's own record writer and
    /// protobuf classes (`bench/control/tensorboard_reference.py`, its
    /// provenance in its header) and by this writer are the same bytes:
    /// lengths, masked CRCs and the encoded events.
    #[test]
    fn event_files_are_byte_for_byte_those_of_tensorboards_writer() {
        let reference = include_bytes!("../../tests/data/tensorboard/reference.tfevents");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut writer = EventFileWriter::create(dir.path(), 1_700_000_000.5).expect("created");
        writer
            .add_scalar("train/mean_return", 7, 42.5, 1_700_000_001.25)
            .expect("scalar");
        writer
            .add_scalar("losses/td_loss", 4096, 0.125, 1_700_000_002.0)
            .expect("scalar");
        writer.flush().expect("flushed");
        let written = std::fs::read(writer.path()).expect("read back");
        assert_eq!(written, reference.as_slice());
    }

    #[test]
    fn varints_encode_as_protobuf_does() {
        let mut out = Vec::new();
        put_varint(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
    }
}
