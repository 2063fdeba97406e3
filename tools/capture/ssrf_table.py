"""Label Studio 1.23.2's own verdict on webhook URLs: tests/fixtures/ssrf/label-studio-1.23.2-ssrf.json.

Each URL goes through `core.utils.io.validate_url_for_ssrf` of the installed
label-studio (urllib3's parse_url, the scheme check, socket.gethostbyname,
validate_ip), with SSRF protection on and off, and `requests`' own URL
preparation (which refuses a few hosts validate_url_for_ssrf lets through).

Host names are resolved by this machine (/etc/hosts), except the few names in
STUB_DNS, which stand in for a public DNS answer so that the table does not
depend on the network; rows resolved that way say so (`resolved_by`).

    tools/capture/ssrf_table.py              (sets up the venv, then writes the fixture)
    VENV/bin/python tools/capture/ssrf_table.py --inside   (what the line above runs)
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'ssrf', 'label-studio-1.23.2-ssrf.json')

# Names a public resolver would answer; never looked up for real.
STUB_DNS = {
    'example.com': '93.184.215.14',
    'example.com.': '93.184.215.14',
    'sub.example.com': '93.184.215.14',
    'a_b.example.com': '93.184.215.14',
    'xn--bcher-kva.example': '93.184.215.14',
    'xn--n3h.net': '93.184.215.14',
    'xn--fa-hia.de': '93.184.215.14',
    'private.example': '10.0.0.5',
    'metadata.example': '169.254.169.254',
}

LABEL64 = 'a' * 64

# (class, URL). Every class of issue 11, every reserved range, public literals
# that must still be delivered, and non-http schemes.
URLS = [
    # Loopback, in every numeric form inet_aton and the WHATWG parser read.
    ('loopback', 'http://127.0.0.1/'),
    ('loopback', 'http://127.0.0.1:8080/hook'),
    ('loopback', 'http://2130706433/'),
    ('loopback', 'http://0x7f000001/'),
    ('loopback', 'http://0X7F000001/'),
    ('loopback', 'http://127.1/'),
    ('loopback', 'http://127.0.1/'),
    ('loopback', 'http://0177.0.0.1/'),
    ('loopback', 'http://0x7f.1/'),
    ('loopback', 'http://0x7f.0.0.1/'),
    ('loopback', 'http://017700000001/'),
    ('loopback', 'http://0x7f.0x0.0x0.0x1/'),
    ('loopback', 'http://127.000.000.001/'),
    ('loopback', 'http://0000177.1/'),
    ('loopback', 'http://127.255.255.254/'),
    ('loopback', 'http://127.0.0.1./'),
    ('loopback', 'http://0x7f.1./'),
    ('loopback', 'http://2130706433./'),
    ('loopback', 'http://localhost/'),
    ('loopback', 'http://LOCALHOST:8080/'),
    ('loopback', 'http://localhost./'),
    ('zero', 'http://0/'),
    ('zero', 'http://0.0.0.0/'),
    ('zero', 'http://0x0/'),
    ('zero', 'http://00/'),
    ('zero', 'http://0.0/'),
    # Non-ASCII hosts: IDNA 2008 in urllib3, UTS 46 in WHATWG.
    ('idna', 'http://127。0。0。1/'),
    ('idna', 'http://①②⑦.0.0.1/'),
    ('idna', 'http://ⓛocalhost/'),
    ('idna', 'http://１２７.０.０.１/'),
    ('idna', 'http://ｌｏｃａｌｈｏｓｔ/'),
    ('idna', 'http://127．0．0．1/'),
    ('idna', 'http://127｡0｡0｡1/'),
    ('idna', 'http://ｅｘａｍｐｌｅ.com/'),
    ('idna', 'http://bücher.example/'),
    ('idna', 'http://BÜCHER.example/'),
    ('idna', 'http://xn--bcher-kva.example/'),
    ('idna', 'http://☃.net/'),
    ('idna', 'http://xn--n3h.net/'),
    ('idna', 'http://faß.de/'),
    ('idna', 'http://exa\u00admple.com/'),
    ('idna', 'http://example\u200b.com/'),
    ('idna', 'http://loc\u0430lhost/'),
    # Percent-encoded hosts.
    ('percent', 'http://%31%32%37.0.0.1/'),
    ('percent', 'http://%6c%6f%63%61%6c%68%6f%73%74/'),
    ('percent', 'http://127.0.0.%31/'),
    ('percent', 'http://127%2e0%2e0%2e1/'),
    ('percent', 'http://ex%41mple.com/'),
    ('percent', 'http://a%2fb.example.com/'),
    ('percent', 'http://%30x7f.1/'),
    ('percent', 'http://127.0.0.1%00/'),
    # Backslashes, userinfo and `@` tricks; URLs the two parsers split differently.
    ('userinfo', 'http://user:pass@127.0.0.1/'),
    ('userinfo', 'http://1.1.1.1@127.0.0.1/'),
    ('userinfo', 'http://127.0.0.1@1.1.1.1/'),
    ('userinfo', 'http://1.1.1.1:80@127.0.0.1/'),
    ('userinfo', 'http://a@b@127.0.0.1/'),
    ('userinfo', 'http://127.0.0.1#@1.1.1.1/'),
    ('userinfo', 'http://127.0.0.1?@1.1.1.1/'),
    ('userinfo', 'http://a%2f@127.0.0.1/'),
    ('userinfo', 'http://a%2f@example.com/'),
    ('userinfo', 'http://1.1.1.1%2f@127.0.0.1/'),
    ('userinfo', 'http://127.0.0.1%2f@1.1.1.1/'),
    ('backslash', 'http://a\\@127.0.0.1/'),
    ('backslash', 'http://a\\@example.com/'),
    ('backslash', 'http://127.0.0.1\\@1.1.1.1/'),
    ('backslash', 'http://1.1.1.1\\@127.0.0.1/'),
    ('backslash', 'http://example.com\\@127.0.0.1/'),
    ('backslash', 'http:\\\\127.0.0.1\\'),
    ('backslash', 'http:/127.0.0.1/'),
    ('backslash', 'http:127.0.0.1'),
    ('backslash', 'http:\\\\1.1.1.1\\'),
    ('whitespace', ' http://127.0.0.1/'),
    ('whitespace', 'http://127.0.\t0.1/'),
    ('whitespace', 'http://1.1.\n1.1/'),
    ('whitespace', 'http://1.1.1.1/ '),
    # Ports.
    ('port', 'http://1.1.1.1:0/'),
    ('port', 'http://1.1.1.1:00/'),
    ('port', 'http://1.1.1.1:65535/'),
    ('port', 'http://1.1.1.1:65536/'),
    ('port', 'http://1.1.1.1:99999/'),
    ('port', 'http://1.1.1.1:080/'),
    ('port', 'http://1.1.1.1:000000080/'),
    ('port', 'http://1.1.1.1:-1/'),
    ('port', 'http://1.1.1.1:+80/'),
    ('port', 'http://1.1.1.1:80a/'),
    ('port', 'http://1.1.1.1:/'),
    ('port', 'https://1.1.1.1:443/'),
    ('port', 'http://example.com:8443/'),
    # Every reserved IPv4 range of validate_ip.
    ('reserved-v4', 'http://0.1.2.3/'),
    ('reserved-v4', 'http://10.0.0.1/'),
    ('reserved-v4', 'http://10.255.255.255/'),
    ('reserved-v4', 'http://100.64.0.1/'),
    ('reserved-v4', 'http://100.127.255.255/'),
    ('reserved-v4', 'http://169.254.169.254/latest/meta-data/'),
    ('reserved-v4', 'http://172.16.0.1/'),
    ('reserved-v4', 'http://172.31.255.255/'),
    ('reserved-v4', 'http://192.0.0.1/'),
    ('reserved-v4', 'http://192.0.2.1/'),
    ('reserved-v4', 'http://192.88.99.1/'),
    ('reserved-v4', 'http://192.168.1.1/'),
    ('reserved-v4', 'http://198.18.0.1/'),
    ('reserved-v4', 'http://198.19.255.255/'),
    ('reserved-v4', 'http://198.51.100.1/'),
    ('reserved-v4', 'http://203.0.113.1/'),
    ('reserved-v4', 'http://224.0.0.1/'),
    ('reserved-v4', 'http://233.252.0.1/'),
    ('reserved-v4', 'http://239.255.255.255/'),
    ('reserved-v4', 'http://240.0.0.1/'),
    ('reserved-v4', 'http://255.255.255.255/'),
    ('reserved-v4', 'http://0xa9fea9fe/'),
    ('reserved-v4', 'http://025177524776/'),
    ('reserved-v4', 'http://<broadcast>/'),
    # IPv6 literals: gethostbyname has no IPv6, fetch would connect.
    ('ipv6', 'http://[::1]/'),
    ('ipv6', 'http://[::]/'),
    ('ipv6', 'http://[::ffff:127.0.0.1]/'),
    ('ipv6', 'http://[::ffff:7f00:1]/'),
    ('ipv6', 'http://[::ffff:0:7f00:1]/'),
    ('ipv6', 'http://[64:ff9b::7f00:1]/'),
    ('ipv6', 'http://[64:ff9b:1::1]/'),
    ('ipv6', 'http://[100::1]/'),
    ('ipv6', 'http://[2001::1]/'),
    ('ipv6', 'http://[2001:20::1]/'),
    ('ipv6', 'http://[2001:db8::1]/'),
    ('ipv6', 'http://[2002:7f00:1::]/'),
    ('ipv6', 'http://[fc00::1]/'),
    ('ipv6', 'http://[fd12:3456::1]/'),
    ('ipv6', 'http://[fe80::1]/'),
    ('ipv6', 'http://[fe80::1%25eth0]/'),
    ('ipv6', 'http://[ff02::1]/'),
    ('ipv6', 'http://[2606:4700:4700::1111]/'),
    ('ipv6', 'http://[::1/'),
    # Public literals: still delivered.
    ('public', 'http://1.1.1.1/'),
    ('public', 'https://1.1.1.1/'),
    ('public', 'http://1.1.1.1:8443/hook?x=1#f'),
    ('public', 'http://8.8.8.8/'),
    ('public', 'http://93.184.215.14/'),
    ('public', 'http://0x5db8d70e/'),
    ('public', 'http://16843009/'),
    ('public', 'http://1.1.257/'),
    ('public', 'http://172.32.0.1/'),
    ('public', 'http://172.15.255.255/'),
    ('public', 'http://100.128.0.1/'),
    ('public', 'http://11.0.0.1/'),
    ('public', 'http://223.255.255.255/'),
    ('public', 'HTTP://1.1.1.1/'),
    ('public', 'http://u:p@1.1.1.1/'),
    ('public', 'http://1.1.1.1./'),
    # Host names.
    ('name', 'http://example.com/'),
    ('name', 'http://EXAMPLE.COM/x'),
    ('name', 'http://example.com./'),
    ('name', 'https://sub.example.com/'),
    ('name', 'http://a_b.example.com/'),
    ('name', 'http://private.example/'),
    ('name', 'http://metadata.example/'),
    ('name', 'http://a..b/'),
    ('name', 'http://.example.com/'),
    ('name', 'http://*.example.com/'),
    ('name', 'http://' + LABEL64 + '.example.com/'),
    ('name', 'http://a b/'),
    ('name', 'http://a:b:c/'),
    ('name', 'http://[example.com]/'),
    # Not http(s), or no host.
    ('scheme', 'ftp://1.1.1.1/'),
    ('scheme', 'file:///etc/passwd'),
    ('scheme', 'javascript:alert(1)'),
    ('scheme', 'gopher://127.0.0.1:25/'),
    ('scheme', 'ws://1.1.1.1/'),
    ('scheme', 'data:text/plain,x'),
    ('scheme', '//1.1.1.1/'),
    ('scheme', '1.1.1.1'),
    ('scheme', ''),
    ('scheme', 'http://'),
    ('scheme', 'https://'),
    ('scheme', 'http:///x'),
    ('scheme', 'http://@/'),
    ('scheme', 'http://:80/'),
]


def inside():
    import socket

    import label_studio

    sys.path.insert(0, os.path.dirname(label_studio.__file__))
    from django.conf import settings

    settings.configure(USE_DEFAULT_BANNED_SUBNETS=True, USER_ADDITIONAL_BANNED_SUBNETS=[], SSRF_PROTECTION_ENABLED=True)
    import requests
    from core.utils import io as ls_io
    from urllib3.util import parse_url

    real = socket.gethostbyname
    used_stub = []

    def gethostbyname(host):
        try:
            return real(host)
        except OSError:
            if host in STUB_DNS:
                used_stub.append(host)
                return STUB_DNS[host]
            raise

    ls_io.socket.gethostbyname = gethostbyname

    def verdict(url, protect):
        del used_stub[:]
        try:
            ls_io.validate_url_for_ssrf(url, block_local_urls=protect)
            # What validate_url_for_ssrf lets through still goes through requests' URL preparation.
            requests.Request('POST', url).prepare()
        except Exception as e:  # noqa: BLE001 - every refusal is a verdict
            name = type(e).__name__
            kind = {'SsrfBlockedUrlError': 'blocked', 'LabelStudioAPIException': 'unresolvable'}.get(name, 'error')
            return {'sent': False, 'kind': kind, 'exception': name, 'message': str(getattr(e, 'detail', e))}
        return {'sent': True, 'resolved_by': 'stub-dns' if used_stub else 'system'}

    rows = []
    for cls, url in URLS:
        row = {'class': cls, 'url': url}
        try:
            p = parse_url(url)
            row['parse_url'] = {'scheme': p.scheme, 'host': p.host, 'port': p.port}
            if p.host is not None:
                try:
                    row['gethostbyname'] = gethostbyname(p.host)
                except Exception as e:  # noqa: BLE001
                    row['gethostbyname'] = None
                    row['gethostbyname_error'] = type(e).__name__
                row['resolved_by'] = 'stub-dns' if p.host in used_stub else 'system'
        except Exception as e:  # noqa: BLE001
            row['parse_url'] = None
            row['parse_error'] = type(e).__name__
        try:
            requests.Request('POST', url).prepare()
            row['requests_prepare'] = 'ok'
        except Exception as e:  # noqa: BLE001
            row['requests_prepare'] = type(e).__name__
        row['protection_on'] = verdict(url, True)
        row['protection_off'] = verdict(url, False)
        rows.append(row)
    import importlib.metadata as md

    out = {
        'about': 'Label Studio 1.23.2 validate_url_for_ssrf (then requests URL preparation) on each URL. Made by tools/capture/ssrf_table.py; do not edit.',
        'versions': {k: md.version(k) for k in ('label-studio', 'urllib3', 'requests', 'idna')},
        'python': sys.version.split()[0],
        'stub_dns': STUB_DNS,
        'rows': rows,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write('\n')
    print(f'{len(rows)} URLs -> {os.path.relpath(OUT, ROOT)}')


if __name__ == '__main__':
    if '--inside' in sys.argv:
        inside()
    else:
        venv = subprocess.run([os.path.join(HERE, 'setup.sh')], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        subprocess.run([os.path.join(venv, 'bin', 'python'), os.path.abspath(__file__), '--inside'], check=True)
