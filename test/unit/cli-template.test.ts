// Go's text/template for --format: every construct, Go's printing rules, and
// Go's error messages. Expected outputs were checked against Go's own
// text/template where our data means the same thing to both.
import t from 'tap';
import { UsageError } from '../../lib/core/errors.js';
import { parse } from '../../lib/cli/template.js';

const data = {
  Name: 'web',
  Names: ['a', 'b', 'c'],
  Labels: { app: 'x', tier: 'y' },
  N: 3,
  Neg: -42,
  F: 1.5,
  Big: 1234567.5,
  Nested: { A: { B: 'deep' } },
  Empty: [],
  EmptyMap: {},
  Nil: null,
  T: true,
  Fa: false,
  Z: 0,
  ES: '',
  Nums: [3, 1, 2],
  List: [[1, 2], [3]],
  Mixed: ['a', 1, true, null],
  Html: `<a href="x">'&'</a>`,
  S: 'héllo wörld',
};

const run = (template: string, value: unknown = data) => parse(template).execute(value);

/** The UsageError's message a template gives, at parse or execution. */
function failure(template: string, value: unknown = data): string {
  try {
    run(template, value);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return err.message;
  }
  return 'no error';
}

t.test('text, trim markers and comments', async (t) => {
  t.equal(run('plain text'), 'plain text');
  t.equal(run(''), '');
  t.equal(run('a {{- " b " -}} c'), 'a b c', 'trim markers take spaces on their side');
  t.equal(run('a {{"b" -}}  \n\t c'), 'a bc', 'newlines and tabs too');
  t.equal(run('a  {{- "b"}}  c'), 'ab  c');
  t.equal(run('{{-3}} {{- 3}}'), '-33', '{{-3}} is a number, not a trim marker');
  t.equal(run('{{/* comment */}}x'), 'x');
  t.equal(run('{{/* multi\nline */}}z'), 'z');
  t.equal(run('x {{- /* c */ -}} y'), 'xy', 'a trimmed comment');
  t.equal(run('{{\n.Name\n}}'), 'web', 'newlines inside an action are spaces');
  t.equal(run('a\\tb'), 'a\\tb', 'a backslash-t is text unless asked');
  t.equal(parse('a\\tb\\n{{.Name}}', { unescapeText: true }).execute(data), 'a\tb\nweb', 'unescapeText reads \\t and \\n in text');
  t.equal(parse('{{`\\t`}}', { unescapeText: true }).execute(data), '\\t', 'but not inside actions');
});

t.test('fields and chains', async (t) => {
  t.equal(run('{{.Name}}'), 'web');
  t.equal(run('{{ .Name }}'), 'web');
  t.equal(run('{{.Nested.A.B}}'), 'deep');
  t.equal(run('{{$.Name}}'), 'web');
  t.equal(run('{{with .Nested}}{{$.Name}}:{{.A.B}}{{end}}'), 'web:deep', '$ stays the data while the dot moves');
  t.equal(run('{{(.Nested).A.B}}'), 'deep', 'fields of a parenthesized pipeline');
  t.equal(run('{{(index .List 0)}}'), '[1 2]');
  t.equal(run('{{$n := .Nested}}{{$n.A.B}}'), 'deep', 'fields of a variable');
  t.equal(run('{{.Labels.app}}'), 'x', 'map keys with field syntax');
  t.equal(run('{{.Labels.nope}}'), '<no value>', 'a missing map key, as Go prints it');
  t.equal(run('{{.Labels.nope.deeper}}'), '<no value>', 'and fields under it');
  t.equal(run('{{.EmptyMap.any}}'), '<no value>', 'an empty object is a map');
  t.equal(run('{{.Labels.Version}}', { Labels: { Maintainer: 'me' } }), '<no value>', 'Labels is a map even with capitalized keys');
  t.equal(run('{{$l := .Labels}}{{$l.Version}}', { Labels: { Maintainer: 'me' } }), '<no value>', 'also through a variable');
  t.equal(run('{{.Ports.x}}', { Ports: { '80/tcp': [] } }), '<no value>', 'keys no Go field could have make a map');
  t.equal(run('{{.Count}}', { Count: () => 7 }), '7', 'a function-valued field is called, as Go calls a method');
  t.equal(run('{{.Add 2 | .Add 3}}', { Add: (a: number, b = 0) => a + b }), '5', 'with arguments and the piped value last');
});

t.test('a missing struct field is an error naming the field', async (t) => {
  t.equal(failure('{{.Bogus}}'), `template: :1:2: executing "" at <.Bogus>: can't evaluate field Bogus: use one of ${Object.keys(data).join(', ')}`);
  t.equal(failure('{{.Nested.A.Zz}}'), `template: :1:9: executing "" at <.Nested.A.Zz>: can't evaluate field Zz: use one of B`, 'placed where the chain starts, as Go does');
  t.equal(failure('x\n  {{.Bogus}}', { A: 1 }), `template: :2:4: executing "" at <.Bogus>: can't evaluate field Bogus: use one of A`, 'line and column');
  t.equal(failure('{{.Bogus}}', { label: 1 }), `template: :1:2: executing "" at <.Bogus>: can't evaluate field Bogus: use one of label`, 'the data itself is always a struct');
  t.equal(failure('{{.Name.X}}'), `template: :1:7: executing "" at <.Name.X>: can't evaluate field X in type string`);
  t.equal(failure('{{.Names.X}}'), `template: :1:8: executing "" at <.Names.X>: can't evaluate field X in type []interface {}`);
  t.equal(failure('{{.Nil.X}}'), `template: :1:6: executing "" at <.Nil.X>: nil pointer evaluating interface {}.X`);
  t.equal(failure('{{.Name "x"}}'), `template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function`);
  t.equal(failure('{{.Labels.x "y"}}'), `template: :1:9: executing "" at <.Labels.x>: x is not a method but has arguments`);
});

t.test('literals', async (t) => {
  t.equal(run('{{"str"}}'), 'str');
  t.equal(run('{{`raw\\n`}}'), 'raw\\n', 'raw strings keep backslashes');
  t.equal(run('{{"\\t\\n\\\\\\"\\x41\\101\\u00e9\\U0001F600"}}'), '\t\n\\"AAé😀', "Go's escapes");
  t.equal(run('{{"\\xc3\\xa9"}}'), 'é', '\\x escapes are bytes of UTF-8');
  t.equal(run("{{'a'}} {{'\\n'}} {{'\\x41'}} {{'日'}}"), '97 10 65 26085', 'character constants are numbers');
  t.equal(run('{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}}'), '31 15 15 5 1000');
  t.equal(run('{{1.5}} {{-2.5}} {{1e3}} {{.5}} {{1.}} {{+3}}'), '1.5 -2.5 1000 0.5 1 3');
  t.equal(run('{{true}} {{false}}'), 'true false');
  t.equal(failure('{{nil}}'), `template: :1:2: executing "" at <nil>: nil is not a command`);
  t.equal(failure('{{0x}}'), 'template: :1: illegal number syntax: "0x"');
  t.equal(failure('{{1a}}'), 'template: :1: bad number syntax: "1a"');
  t.equal(failure("{{'ab'}}"), "template: :1: malformed character constant: 'ab'");
  t.match(failure('{{"\\q"}}'), /^template: :1: invalid syntax/);
});

t.test('pipelines pass the value as the last argument', async (t) => {
  t.equal(run('{{.Name | printf "%s!"}}'), 'web!');
  t.equal(run('{{"a" | printf "%s-%s" "b"}}'), 'b-a');
  t.equal(run('{{.Names | len}}'), '3');
  t.equal(run('{{.Name | len | printf "%d"}}'), '3');
  t.equal(run('{{(len .Names) | printf "%03d"}}'), '003');
  t.equal(run('{{printf "%s" (printf "%d" 5)}}'), '5', 'parenthesized sub-pipelines');
  t.equal(run('{{print . | printf "%s" | len | eq 3 | not}}', 'abc'), 'false');
  t.equal(failure('{{"x" | "y"}}'), 'template: :1: non executable command in pipeline stage 2');
  t.equal(failure('{{"x" "y"}}'), `template: :1:2: executing "" at <"x">: can't give argument to non-function "x"`);
  t.equal(failure('{{.Name | .Names}}'), `template: :1:10: executing "" at <.Names>: Names has arguments but cannot be invoked as function`);
  t.equal(failure('{{|.Name}}'), 'template: :1: unexpected "|" in command');
});

t.test('variables', async (t) => {
  t.equal(run('{{$x := 1}}{{$x}}'), '1');
  t.equal(run('{{$x := 1}}{{$x = 2}}{{$x}}'), '2', 'assignment');
  t.equal(run('{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}'), '21', 'a declaration in a block shadows until its end');
  t.equal(run('{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}'), '2', 'an assignment reaches outside');
  t.equal(run('{{if $x := .N}}{{$x}}{{end}}'), '3');
  t.equal(run('{{with $x := .Nested}}{{$x.A.B}}{{end}}'), 'deep');
  t.equal(run('{{range $i, $e := .Names}}{{$x := $i}}{{$x}}{{end}}'), '012');
  t.equal(failure('{{$x}}'), 'template: :1: undefined variable "$x"');
  t.equal(failure('{{$x = 1}}'), 'template: :1: undefined variable "$x"', 'assigning needs a declaration');
  t.equal(failure('{{if true}}{{$y := 1}}{{end}}{{$y}}'), 'template: :1: undefined variable "$y"', 'out of scope after end');
  t.equal(failure('{{with $x := 1}}{{end}}{{$x}}'), 'template: :1: undefined variable "$x"');
  t.equal(failure('{{$a, $b := 1}}'), 'template: :1: too many declarations in command');
  t.equal(failure('{{range $i, 3 := .Names}}{{end}}'), 'template: :1: range can only initialize variables');
});

t.test('if, else if, else', async (t) => {
  t.equal(run('{{if .T}}y{{end}}'), 'y');
  t.equal(run('{{if .Fa}}y{{else}}n{{end}}'), 'n');
  t.equal(run('{{if .Z}}y{{else if .ES}}e{{else if .Names}}names{{else}}n{{end}}'), 'names');
  t.equal(run('{{if .Z}}y{{else if .ES}}e{{else}}n{{end}}'), 'n');
  t.equal(run('{{if and .T .N}}y{{end}}'), 'y');
  t.equal(failure('{{if}}{{end}}'), 'template: :1: missing value for if');
  t.equal(failure('{{if .T}}'), 'template: :1: unexpected EOF');
  t.equal(failure('{{else}}'), 'template: :1: unexpected {{else}}');
  t.equal(failure('{{end}}'), 'template: :1: unexpected {{end}}');
  t.equal(failure('{{if .T}}a{{end}}{{end}}'), 'template: :1: unexpected {{end}}');
  t.equal(failure('{{if .T}}{{else}}{{else}}{{end}}'), 'template: :1: expected end; found {{else}}');
  t.equal(failure('a\n{{if .T}}\n{{.Name}}'), 'template: :3: unexpected EOF', 'the line where the parse stopped');
});

t.test('truth as Go has it', async (t) => {
  const truth = (v: unknown) => run('{{if .V}}T{{else}}F{{end}}', { V: v });
  for (const v of [false, 0, '', [], {}, null, undefined]) t.equal(truth(v), 'F', `${JSON.stringify(v)} is false`);
  for (const v of [true, 1, -1, 0.5, 'x', [0], { a: 0 }]) t.equal(truth(v), 'T', `${JSON.stringify(v)} is true`);
  t.equal(run('{{if .Labels.nope}}y{{else}}n{{end}}'), 'n', 'a missing map key is false');
});

t.test('with', async (t) => {
  t.equal(run('{{with .Nested.A}}{{.B}}{{end}}'), 'deep', 'moves the dot');
  t.equal(run('{{with .Empty}}y{{else}}n{{end}}'), 'n');
  t.equal(run('{{with .Labels}}{{.app}}{{end}}'), 'x');
  t.equal(run('{{with .Z}}z{{else with .N}}{{.}}{{end}}'), '3', 'else with');
});

t.test('range', async (t) => {
  t.equal(run('{{range .Names}}{{.}},{{end}}'), 'a,b,c,');
  t.equal(run('{{range $i, $v := .Names}}{{$i}}={{$v}} {{end}}'), '0=a 1=b 2=c ');
  t.equal(run('{{range $v := .Names}}{{$v}}{{end}}'), 'abc', 'one variable is the element');
  t.equal(run('{{range .Labels}}{{.}};{{end}}', { Labels: { b: 2, a: 1, c: 3 } }), '1;2;3;', 'objects in sorted key order');
  t.equal(run('{{range $k, $v := .Labels}}{{$k}}:{{$v}} {{end}}'), 'app:x tier:y ');
  t.equal(run('{{range .Empty}}x{{else}}empty{{end}}'), 'empty');
  t.equal(run('{{range .Nil}}x{{else}}nil{{end}}'), 'nil');
  t.equal(run('{{range .Labels.nope}}x{{else}}missing{{end}}'), 'missing');
  t.equal(run('{{range .List}}{{range .}}{{.}}{{end}};{{end}}'), '12;3;', 'nested');
  t.equal(run('{{range .Names}}{{$.Name}}{{end}}'), 'webwebweb');
  t.equal(run('{{range 3}}{{.}}{{end}}'), '012', 'an integer counts from 0, as in Go 1.22');
  t.equal(run('{{$i := 0}}{{range .Names}}{{$i = .}}{{end}}{{$i}}'), 'c', 'assignment inside a range');
  t.equal(run('{{$k := ""}}{{$v := ""}}{{range $k, $v = .Labels}}{{end}}{{$k}}={{$v}}'), 'tier=y', 'range assigning existing variables');
  t.equal(failure('{{range .Name}}{{.}}{{end}}'), `template: :1:8: executing "" at <.Name>: range can't iterate over web`);
  t.equal(failure('{{range 1.5}}{{end}}'), `template: :1:8: executing "" at <1.5>: range can't iterate over 1.5`);
  t.equal(failure('{{range $i, $v := 3}}{{end}}'), `template: :1:18: executing "" at <3>: can't use 3 to iterate over more than one variable`);
});

t.test('break and continue', async (t) => {
  t.equal(run('{{range .Names}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}'), 'ac');
  t.equal(run('{{range .Names}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}'), 'a');
  t.equal(run('{{range .List}}{{range .}}{{break}}{{end}}x{{end}}'), 'xx', 'break leaves the innermost range');
  t.equal(run('{{range .Names}}{{continue}}{{end}}x'), 'x');
  t.equal(failure('{{break}}'), 'template: :1: {{break}} outside {{range}}');
  t.equal(failure('{{if true}}{{continue}}{{end}}'), 'template: :1: {{continue}} outside {{range}}');
  t.equal(failure('{{range .Names}}{{break 1}}{{end}}'), 'template: :1: unexpected "1" in {{break}}');
});

t.test('and, or, not', async (t) => {
  t.equal(run('{{and 1 0 2}} {{and 1 2}} {{or 0 "" "z"}} {{or 0 ""}} {{not 0}} {{not .Names}}'), '0 2 z  true false');
  t.equal(run('{{or .Labels.nope "default"}}'), 'default');
  t.equal(run('{{and .Fa .Bogus}}'), 'false', 'and stops at the first false argument');
  t.equal(run('{{or .T .Bogus}}'), 'true', 'or stops at the first true argument');
  t.equal(run('{{0 | and 1}} {{"p" | or 0}}'), '0 p');
  t.equal(failure('{{and}}'), `template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0`);
  t.equal(failure('{{not 1 2}}'), `template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 2`);
});

t.test('len, index, slice', async (t) => {
  t.equal(run('{{len .Names}} {{len .Labels}} {{len .S}} {{len ""}}'), '3 2 13 0', 'len of a string counts bytes, as Go');
  t.equal(run('{{index .Names 1}} {{index .Labels "app"}} {{index .List 0 1}} {{index .S 1}}'), 'b x 2 195');
  t.equal(run('{{index .Labels "nope"}}|{{index .Mixed 3}}'), '|<nil>', 'a missing label is "", as in a map of strings');
  t.equal(run('{{index . "a.b/c"}}', { 'a.b/c': 'dotted' }), 'dotted', 'keys field syntax cannot name');
  t.equal(run('{{slice .Names 1}} {{slice .Names 1 2}} {{slice .Names 0 1 2}} {{slice .Name 1 2}} {{slice .Names}}'), '[b c] [b] [a] e [a b c]');
  t.equal(failure('{{len 3}}'), `template: :1:2: executing "" at <len 3>: error calling len: len of type int`);
  t.equal(failure('{{len .Nil}}'), `template: :1:2: executing "" at <len .Nil>: error calling len: len of nil pointer`);
  t.equal(failure('{{index .Names 5}}'), `template: :1:2: executing "" at <index .Names 5>: error calling index: index out of range: 5`);
  t.equal(failure('{{index .Names -1}}'), `template: :1:2: executing "" at <index .Names -1>: error calling index: index out of range: -1`);
  t.equal(failure('{{index .Names "x"}}'), `template: :1:2: executing "" at <index .Names "x">: error calling index: cannot index slice/array with type string`);
  t.equal(failure('{{index .Labels 1}}'), `template: :1:2: executing "" at <index .Labels 1>: error calling index: value has type int; should be string`);
  t.equal(failure('{{index .N 1}}'), `template: :1:2: executing "" at <index .N 1>: error calling index: can't index item of type int`);
  t.equal(failure('{{index .Nil 1}}'), `template: :1:2: executing "" at <index .Nil 1>: error calling index: index of untyped nil`);
  t.equal(failure('{{slice .Names 2 1}}'), `template: :1:2: executing "" at <slice .Names 2 1>: error calling slice: invalid slice index: 2 > 1`);
  t.equal(failure('{{slice .Name 0 1 2}}'), `template: :1:2: executing "" at <slice .Name 0 1 2>: error calling slice: cannot 3-index slice a string`);
  t.equal(failure('{{slice .N 1}}'), `template: :1:2: executing "" at <slice .N 1>: error calling slice: can't slice item of type int`);
});

t.test('comparisons', async (t) => {
  t.equal(run('{{eq 1 1}} {{eq 1 2 3 1}} {{eq "a" "a"}} {{eq .Name "web"}} {{eq true true}} {{eq .Nil nil}}'), 'true true true true true true');
  t.equal(run('{{eq .Name "x" "y" "web"}} {{eq .Name "x" "y"}}'), 'true false', 'eq x a b is x==a || x==b');
  t.equal(run('{{eq .Labels.nope "x"}}'), 'false', 'a missing value equals only nil');
  t.equal(run('{{ne 1 2}} {{ne "a" "a"}}'), 'true false');
  t.equal(run('{{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}} {{lt "a" "b"}} {{lt 1.5 2.5}}'), 'true true true false true true');
  t.equal(failure('{{eq 1 "a"}}'), `template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison`);
  t.equal(failure('{{eq .Names .Names}}'), `template: :1:2: executing "" at <eq .Names .Names>: error calling eq: non-comparable type [a b c]: []interface {}`);
  t.equal(failure('{{eq 1}}'), `template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison`);
  t.equal(failure('{{lt true false}}'), `template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison`);
  t.equal(failure('{{lt 1 "a"}}'), `template: :1:2: executing "" at <lt 1 "a">: error calling lt: incompatible types for comparison`);
  t.equal(failure('{{ne 1}}'), `template: :1:2: executing "" at <ne>: wrong number of args for ne: want 2 got 1`);
});

t.test('printing values as Go does', async (t) => {
  t.equal(run('{{.}}', 'str'), 'str', 'strings as they are');
  t.equal(run('{{.N}} {{.Neg}} {{.F}} {{.Big}} {{.Z}}'), '3 -42 1.5 1.2345675e+06 0', 'numbers, floats in %v form');
  t.equal(run('{{.}}', 0.00001234), '1.234e-05');
  t.equal(run('{{.}}', 1e21), '1e+21', 'beyond safe integers is a float');
  t.equal(run('{{.T}} {{.Fa}}'), 'true false');
  t.equal(run('{{.Names}} {{.Empty}} {{.List}} {{.Mixed}}'), '[a b c] [] [[1 2] [3]] [a 1 true <nil>]', 'arrays as [a b c]');
  t.equal(run('{{.Labels}} {{.EmptyMap}} {{.Nested}}'), 'map[app:x tier:y] map[] map[A:map[B:deep]]', 'objects as map[k:v], sorted');
  t.equal(run('{{.}}', { b: 1, a: [1, 2] }), 'map[a:[1 2] b:1]');
  t.equal(run('{{.Labels.nope}} {{.Nil}}'), '<no value> <nil>', 'undefined is <no value>, null is <nil>');
  t.equal(run('{{print .Labels.nope}}'), '<nil>', 'a missing value given to a function is nil, as in Go');
  t.equal(failure('{{.F}}', { F: () => undefined }), 'no error');
});

t.test('print, printf, println', async (t) => {
  t.equal(run('{{print 1 2 "a" 3 "b" "c"}}'), '1 2a3bc', 'spaces between operands when neither is a string');
  t.equal(run('{{print}}|{{print .Names .Labels}}'), '|[a b c] map[app:x tier:y]');
  t.equal(run('{{println 1 "a" 2}}'), '1 a 2\n');
  t.equal(run('{{printf "%s|%v|%q|%x|%X" .Name .Name .Name .Name .Name}}'), 'web|web|"web"|776562|776562');
  t.equal(run('{{printf "%d|%v|%x|%X|%o|%O|%b|%c|%q|%U|%#U" 65 65 255 255 8 8 5 65 65 65 65}}'), "65|65|ff|FF|10|0o10|101|A|'A'|U+0041|U+0041 'A'");
  t.equal(run('{{printf "%5d|%-5d|%05d|%+d|% d|%.3d|%x" 42 42 -42 42 42 7 -255}}'), '   42|42   |-0042|+42| 42|007|-ff');
  t.equal(run('{{printf "%#x|%#o|%#X|%#b" 255 8 255 5}}'), '0xff|010|0XFF|0b101');
  t.equal(
    run('{{printf "%f|%.2f|%8.3f|%-8.2f|%e|%E|%.3e|%g|%G|%.3g" 3.14159 3.14159 3.14159 3.14159 1234.5678 1234.5678 1234.5678 1234.5678 0.000012345 1234.5678}}'),
    '3.141590|3.14|   3.142|3.14    |1.234568e+03|1.234568E+03|1.235e+03|1234.5678|1.2345E-05|1.23e+03',
  );
  t.equal(run('{{printf "%.0f|%.0f|%.0f|%.1f|%.2f|%.2f|%.1f" 0.5 1.5 2.5 0.25 1.005 2.675 12.25}}'), '0|2|2|0.2|1.00|2.67|12.2', 'ties to even on the exact value, as Go rounds');
  t.equal(run('{{printf "%.3e|%.0e|%e|%.2e" 1.0005 5.5 123456789.0 9.995}}'), '1.000e+00|6e+00|1.234568e+08|9.99e+00');
  t.equal(run('{{printf "%v|%v|%v|%v|%v" 1.5 1234567.5 0.0001 0.00001 123456.5}}'), '1.5|1.2345675e+06|0.0001|1e-05|123456.5');
  t.equal(run('{{printf "%08.3f|%-08.3f|%+.2f|% .2f" 3.14159 3.14159 2.5 2.5}}'), '0003.142|3.142   |+2.50| 2.50');
  t.equal(run('{{printf "%t|%v|%5t" true false true}}'), 'true|false| true');
  t.equal(run('{{printf "%10s|%-10s|%.2s|%5.1s|%q" "abc" "abc" "abc" "abc" "a\\"b"}}'), '       abc|abc       |ab|    a|"a\\"b"');
  t.equal(run('{{printf "%-6s|%6s|" "héllo" "日本"}}'), 'héllo |    日本|', 'widths count characters');
  t.equal(run('{{printf "%%|%d%%" 5}}'), '%|5%');
  t.equal(run('{{printf "%v|%q|%d|%s" .Names .Names .Nums .Labels}}'), '[a b c]|["a" "b" "c"]|[3 1 2]|map[app:x tier:y]', 'verbs apply to elements');
  t.equal(run('{{printf "%5v|%-4v|" .Names .N}}'), '[    a     b     c]|3   |');
  t.equal(run('{{printf "%*d|%-*d|%.*f" 5 1 4 2 2 3.14159}}'), '    1|2   |3.14');
  t.equal(run('{{printf "%T %T %T %T %T" 1 "a" 1.5 true .Names}}'), 'int string float64 bool []interface {}');
  t.equal(run('{{printf "%x % x %#x" "hi" "hi" "hi"}}'), '6869 68 69 0x6869');
  t.equal(run('{{printf "%q|%+q|%#q|%#q" "日本\\x01" "日本" "ab`c" "abc"}}'), '"日本\\x01"|"\\u65e5\\u672c"|"ab`c"|`abc`');
  t.equal(run('{{printf "%v|%s" .Labels.nope nil}}'), '<nil>|%!s(<nil>)');
  t.equal(run('{{printf "%d" "x"}}|{{printf "%s" 5}}|{{printf "%d" 1.5}}|{{printf "%z" 1}}'), '%!d(string=x)|%!s(int=5)|%!d(float64=1.5)|%!z(int=1)', 'bad verbs as Go writes them');
  t.equal(run('{{printf "%d %d" 1}}|{{printf "%d" 1 2}}|{{printf "%"}}'), '1 %!d(MISSING)|1%!(EXTRA int=2)|%!(NOVERB)');
  t.equal(failure('{{printf}}'), `template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0`);
  t.equal(failure('{{printf 5}}'), `template: :1:9: executing "" at <5>: expected string; found 5`);
});

t.test('html, js, urlquery', async (t) => {
  t.equal(run('{{html .Html}}'), '&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  t.equal(run('{{html 1 "<"}}'), '1&lt;', 'several arguments are printed first');
  t.equal(run('{{js .Html}}'), '\\u003Ca href\\u003D\\"x\\"\\u003E\\\'\\u0026\\\'\\u003C/a\\u003E');
  t.equal(run('{{js "a\\nb=é"}}'), 'a\\u000Ab\\u003Dé');
  t.equal(run('{{urlquery .Html}} {{urlquery "a b/c?d=é"}}'), '%3Ca+href%3D%22x%22%3E%27%26%27%3C%2Fa%3E a+b%2Fc%3Fd%3D%C3%A9');
});

t.test("docker's and podman's functions", async (t) => {
  t.equal(run('{{json .Labels}} {{json .Names}} {{json .Name}} {{json .N}} {{json .Nil}} {{json .Html}}'), '{"app":"x","tier":"y"} ["a","b","c"] "web" 3 null "<a href=\\"x\\">\'&\'</a>"', 'compact, no HTML escaping');
  t.equal(run('{{json .Labels.nope}}'), 'null');
  t.equal(run('{{json .Labels}}', { Labels: { z: 1, a: 2 } }), '{"a":2,"z":1}', 'map keys sorted as Go encodes maps');
  t.equal(run('{{json .}}', { Z: 1, A: { z: 1, a: 2 } }), '{"Z":1,"A":{"a":2,"z":1}}', 'struct fields keep their order');
  t.equal(run('{{join .Names ", "}}'), 'a, b, c');
  t.equal(run('{{join .Nil ","}}|{{join .Labels.nope ","}}'), '|', 'nothing to join');
  t.equal(run('{{split "a:b:c" ":"}} {{split "abc" ""}} {{split "" ","}} {{len (split "a,b" ",")}}'), '[a b c] [a b c] [] 2');
  t.equal(run('{{lower "ABC É"}} {{upper "abc é"}} {{title "hello wörld foo_bar x-y"}}'), 'abc é ABC É Hello Wörld Foo_bar X-Y');
  t.equal(run('{{truncate "abcdef" 3}} {{truncate "ab" 3}} {{truncate "日本語" 2}}'), 'abc ab 日本');
  t.equal(run('[{{pad "x" 1 2}}] [{{pad "" 1 2}}]'), '[ x  ] []');
  t.equal(run('{{.Name | upper}} {{"+" | join .Names}}'), 'WEB a+b+c', 'in pipelines');
  t.equal(failure('{{.Names | join "+"}}'), `template: :1:16: executing "" at <"+">: can't handle "+" for arg of type []string`, 'the piped value comes last');
  t.equal(failure('{{lower 5}}'), `template: :1:8: executing "" at <5>: expected string; found 5`);
  t.equal(failure('{{lower .N}}'), `template: :1:8: executing "" at <.N>: wrong type for value; expected string; got int`);
  t.equal(failure('{{.N | lower}}'), `template: :1:7: executing "" at <lower>: wrong type for value; expected string; got int`);
  t.equal(failure('{{lower .Labels.nope}}'), `template: :1:15: executing "" at <.Labels.nope>: invalid value; expected string`);
  t.equal(failure('{{truncate "abc" "x"}}'), `template: :1:17: executing "" at <"x">: expected integer; found "x"`);
  t.equal(failure('{{join .Name ","}}'), `template: :1:7: executing "" at <.Name>: wrong type for value; expected []string; got string`);
  t.equal(failure('{{lower nil}}'), `template: :1:8: executing "" at <nil>: cannot assign nil to string`);
});

t.test('syntax errors as Go reports them', async (t) => {
  const cases: [string, string][] = [
    ['{{foo}}', 'function "foo" not defined'],
    ['{{.Name', 'unclosed action'],
    ['{{.Name}', "bad character U+007D '}'"],
    ['{{"abc}}', 'unterminated quoted string'],
    ['{{`abc}}', 'unterminated raw quoted string'],
    ["{{'a}}", 'unterminated character constant'],
    ['{{(.Name}}', 'unclosed left paren'],
    ['{{.Name)}}', 'unexpected ")" in command'],
    ['{{.Name ,}}', 'unexpected "," in operand'],
    ['{{}}', 'missing value for command'],
    ['{{ }}', 'missing value for command'],
    ['{{.Name=1}}', "bad character U+003D '='"],
    ['{{.Na#me}}', "bad character U+0023 '#'"],
    ['{{é}}', 'function "é" not defined'],
    ['{{\u0001}}', 'unrecognized character in action: U+0001'],
    ['{{$x: 1}}', 'expected :='],
    ['{{/* unclosed', 'unclosed comment'],
    ['{{/* x */ }}', 'comment ends before closing delimiter'],
    ['{{1 | printf "%d"}}', 'no error'],
    ['{{printf "%d" | 1}}', 'non executable command in pipeline stage 2'],
    ['{{.Name | nil}}', 'non executable command in pipeline stage 2'],
    ['{{"x".Y}}', 'unexpected . after term "\\"x\\""'],
    ['{{..Name}}', 'unexpected . after term "."'],
    ['{{.Name.}}', 'unexpected <.> in operand'],
    ['{{if .T}}{{else with .N}}{{end}}', 'unexpected <with> in input'],
    ['{{define "x"}}{{end}}', '{{define}} is not supported in --format'],
    ['{{template "x"}}', '{{template}} is not supported in --format'],
  ];
  for (const [template, message] of cases) {
    t.equal(failure(template), message === 'no error' ? message : `template: :1: ${message}`, template);
  }
  t.equal(failure('line1\nline2 {{foo}}'), 'template: :2: function "foo" not defined', 'the line of the error');
  t.ok(failure('{{foo}}') && (() => { try { parse('{{foo}}'); } catch (err) { return err instanceof UsageError && err.exitCode === 125; } return false; })(), 'a UsageError, exit 125, at parse time');
});

t.test('parse once, execute many times', async (t) => {
  const template = parse('{{.Name}}{{$x := .Name}}{{$x}}');
  t.equal(template.execute({ Name: 'a' }), 'aa');
  t.equal(template.execute({ Name: 'b' }), 'bb', 'no state carried between executions');
});
