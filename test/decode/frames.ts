/**
 * Annotated frames for the layer tests. The IPv4 request is frame 1 of fixtures/decode/veth-ntp-reject.pcap
 * (`tcpdump -r ... -xx`), the ICMP error is its frame 6; the other link layers wrap that same IP datagram.
 */
import { concat } from '../../bench/frames.mjs';
import { hex } from '../ntp/hex.js';

/** Frame 1's IPv4 datagram: 198.51.100.1.38322 > 198.51.100.2.123 NTPv4 client, [udp sum ok]. */
export const IPV4_NTP_REQUEST = hex(`
  45 00 004c      # IPv4, IHL 5, DSCP/ECN 0, total length 76
  64db 4000       # id 0x64db, flags DF, fragment offset 0
  40 11 815b      # TTL 64, protocol 17 (UDP), header checksum
  c6336401        # source 198.51.100.1
  c6336402        # destination 198.51.100.2
  95b2 007b       # UDP 38322 → 123
  0038 7d56       # UDP length 56, checksum 0x7d56 (tshark: Good)
  e3 00 03 fa     # NTP: LI 3 VN 4 mode 3, stratum 0, poll 3, precision -6
  00010000 00010000 00000000           # root delay 1, root dispersion 1, refid 0
  0000000000000000 0000000000000000 0000000000000000  # reference, origin, receive: 0
  eeacaf8f 0e560400                    # transmit 4004294543.055999994
`);

export const ETHERNET_HEADER = hex(`
  a6d063a58011    # destination MAC (the namespace's veth)
  be46acd2692e    # source MAC (nddec0)
  0800            # EtherType IPv4
`);

export const ETHERNET_NTP_REQUEST = concat(ETHERNET_HEADER, IPV4_NTP_REQUEST);

/** Frame 6: ICMP 3/10 from 198.51.100.2 quoting the request of frame 5 (198.51.100.1.57862 > .2.123). */
export const ETHERNET_ICMP_HOST_PROHIBITED = hex(`
  be46acd2692e a6d063a58011 0800               # Ethernet, IPv4
  45 c0 0068 0590 0000 40 01 1fdb               # IPv4 tos 0xc0, length 104, TTL 64, protocol 1
  c6336402 c6336401                             # 198.51.100.2 → 198.51.100.1
  03 0a 51aa 00000000                           # ICMP type 3 code 10 (host prohibited), checksum, unused
  45 00 004c b9cd 4000 40 11 2c69              # quoted IPv4: length 76, DF, UDP
  c6336401 c6336402                             # 198.51.100.1 → 198.51.100.2
  e206 007b 0038 ce7a                           # quoted UDP 57862 → 123, length 56
  e3 00 03 fa 00010000 00010000 00000000        # quoted NTP client request ...
  0000000000000000 0000000000000000 0000000000000000
  eeacaf8f 44dd3000                             # ... transmit 4004294543.269000053
`);

export { concat };
