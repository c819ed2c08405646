import { defineRule } from '../src/diagnose/define.js';
import type { Evidence, Hit } from '../src/diagnose/types.js';
import type { InputObservation } from '../src/model/observation.js';
import { note, plural } from './_lib/evidence.js';
import { cmd, draft, type Draft, ranked, words } from './_lib/fixes.js';
import { file, writeTo } from '../src/shell/command.js';

/**
 * The capture was read only up to a point: the file ends inside a record (cut by a copy, a full disk, tcpdump
 * killed before it flushed) or a length field cannot be true (damage). What came before is analysed; what came after
 * is not, so the report may miss a cause. tcpdump exits 1 and tshark 2 on such a file: a script must be able to tell
 * it from a clean one, so this is a warning (exit 1), not a note.
 */
export default defineRule({
  meta: {
    id: 'capture-damaged',
    summary: 'The capture was read only up to damage or truncation: what came after it is not in the report',
    severity: 'warning',
    confidence: 1,
    priority: 5,
    why:
      'A pcap file is a header and records that each give their own length (pcap-savefile(5)); a pcapng file is blocks that ' +
      'give theirs at both ends (draft-ietf-opsawg-pcapng §3.1). A file that ends inside a record was cut: copied while tcpdump ' +
      'was still writing, a full disk, a killed capture. A record that claims more than 262144 captured bytes (libpcap and ' +
      'Wireshark refuse those: "invalid packet capture length") or a block whose two lengths differ is damaged, and nothing after ' +
      'it says where the next record starts. Every reader stops there (tcpdump exits 1, tshark 2); so does ntpdoctor, after ' +
      'analysing everything before it. A fault seen only in the lost part is missing from the findings.',
    references: [
      'pcap-savefile(5)',
      'draft-ietf-opsawg-pcap §5 (packet record: captured and original length)',
      'draft-ietf-opsawg-pcapng §3.1 (block total length), §4.3 (Enhanced Packet Block)',
      'libpcap sf-pcap.c pcap_next_packet ("invalid packet capture length", "truncated dump file")',
      'editcap(1)',
    ],
  },
  match(ctx) {
    const hits: Hit[] = [];
    for (const input of ctx.of('input')) {
      const stop = input.stop;
      if (stop === undefined) continue;
      const name = input.file === '-' ? 'stdin' : input.file;
      const what = stop.kind === 'truncated' ? 'truncated' : 'damaged';
      const evidence: Evidence[] = [
        note(`${name}: ${what} at byte ${stop.offset} (frame ${stop.frame}): ${stop.reason}`),
        note(
          input.frames > 0
            ? `The ${plural(input.frames, 'frame')} before byte ${stop.offset} were analysed (${plural(input.ntpFrames, 'NTP/ICMP frame')}); nothing after it was read`
            : `No frame could be read before byte ${stop.offset}: there is nothing to analyse`,
        ),
      ];
      hits.push({
        subject: name,
        title: `${name} was read only up to byte ${stop.offset} (frame ${stop.frame}): the capture is ${what}`,
        evidence,
        fixes: ranked(fixesFor(input)),
      });
    }
    return hits;
  },
});

function fixesFor(input: InputObservation): Draft[] {
  const recapture = draft(
    'generic',
    'Capture again and let tcpdump finish writing (stop it with Ctrl-C or -c, never kill -9; copy the file only once tcpdump has exited)',
    [cmd('tcpdump', '-i', 'any', '-U', '-w', 'ntp.pcap', 'udp port 123 or icmp or icmp6')],
    words('ntpdoctor analyze ntp.pcap'),
  );
  if (input.file === '-') return [recapture];
  // The file name comes from the command line or a directory listing: src/shell quotes it (or, for a name no
  // quoting carries safely, prints the step in words).
  const f = file(input.file);
  return [
    draft(
      'generic',
      'Compare the file with its source (size, checksum): a copy taken while the capture was still being written ends mid-record',
      [cmd('ls', '-l', f), writeTo(cmd('tcpdump', '-n', '-r', f), '/dev/null')],
      cmd('ntpdoctor', 'analyze', f),
      'tcpdump ends with "truncated dump file" (or a bogus length) where ntpdoctor says the damage starts',
    ),
    recapture,
    draft(
      'generic',
      'Keep what is readable as a clean file (Wireshark editcap copies the records up to the damage)',
      [cmd('editcap', '-F', 'pcap', f, 'readable.pcap')],
      words('ntpdoctor analyze readable.pcap'),
    ),
  ];
}
