// A JSON pointer from a schema validator as the path a person reads.

/** "/services/web/ports/0" -> "services.web.ports[0]"; `show` makes each key safe to print. */
export function pointerPath(pointer: string, show: (key: string) => string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((s, p) => (/^\d+$/.test(p) ? `${s}[${p}]` : s ? `${s}.${show(p)}` : show(p)), '');
}
