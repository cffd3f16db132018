/**
 * dbconfig.xml import: the strict XML reader (hostile files refused, escapes and CDATA read
 * right), every JDBC URL form of the four databases, and the database section built from a
 * file (the password never imported, what changes listed).
 */
import assert from 'node:assert/strict';
import { checkProfile } from '../../src/core/profiles/schema';
import { AppError } from '../../src/core/errors';
import { JdbcUrlError, parseJdbcUrl } from '../../src/core/dbconfig/jdbcUrl';
import { MAX_XML_BYTES, XmlError, decodeXml, parseXml } from '../../src/core/dbconfig/strictXml';
import { databaseFromDbConfig, readDbConfig } from '../../src/core/dbconfig/dbConfigFile';

const enc = (s: string) => new TextEncoder().encode(s);

export function dbconfigXml(o: { type?: string; schema?: string; url: string; user?: string; password?: string; extra?: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<jira-database-config>
  <name>defaultDS</name>
  <delegator-name>default</delegator-name>
  <database-type>${o.type ?? 'postgres72'}</database-type>
  ${o.schema !== undefined ? `<schema-name>${o.schema}</schema-name>` : ''}
  <jdbc-datasource>
    <url>${o.url}</url>
    <driver-class>org.postgresql.Driver</driver-class>
    ${o.user !== undefined ? `<username>${o.user}</username>` : ''}
    ${o.password !== undefined ? `<password>${o.password}</password>` : ''}
    <pool-min-size>20</pool-min-size>
    ${o.extra ?? ''}
  </jdbc-datasource>
</jira-database-config>
`;
}

const inputError = (re: RegExp) => (e: unknown) => e instanceof AppError && e.kind === 'input' && re.test(e.message);

describe('dbconfig.xml import', () => {
  describe('strict XML reader', () => {
    it('reads elements, attributes, the five entities, character references, CDATA and comments', () => {
      const root = parseXml(`<?xml version="1.0"?>\n<!-- c --><a x="1 &amp; 2" y='&quot;'><b>&lt;t&gt; &#65;&#x42; &apos;</b><c><![CDATA[<raw & ]]></c><d/></a>`);
      assert.equal(root.name, 'a');
      assert.deepEqual(root.attributes, { x: '1 & 2', y: '"' });
      assert.equal(root.children[0].text, "<t> AB '");
      assert.equal(root.children[1].text, '<raw & ');
      assert.equal(root.children[2].name, 'd');
    });

    it('refuses a DOCTYPE, entity definitions and the billion laughs', () => {
      const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
      assert.throws(() => parseXml(laughs), (e: Error) => e instanceof XmlError && /DOCTYPE/.test(e.message));
      assert.throws(() => parseXml(`<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>`), /DOCTYPE/);
      assert.throws(() => parseXml(`<x>&xxe;</x>`), /entity &xxe; is not allowed/);
      assert.throws(() => parseXml(`<x>a & b</x>`), /must start an entity reference/);
      assert.throws(() => parseXml(`<x>&#0;</x>`), /invalid character reference/);
      assert.throws(() => parseXml(`<x>&#xD800;</x>`), /invalid character reference/);
    });

    it('refuses broken structure with the line', () => {
      assert.throws(() => parseXml('<a>\n<b></a>'), /end tag <\/a> does not match <b> \(line 2\)/);
      assert.throws(() => parseXml('<a>'), /<a> is not closed/);
      assert.throws(() => parseXml('<a/><b/>'), /second root element/);
      assert.throws(() => parseXml('text'), /text outside the root element/);
      assert.throws(() => parseXml('<a x="1" x="2"/>'), /repeated/);
      assert.throws(() => parseXml('<a x="<"/>'), /"<" in an attribute/);
      assert.throws(() => parseXml('<a><![CDATA[open</a>'), /unterminated CDATA/);
      assert.throws(() => parseXml(''), /no XML element/);
      assert.throws(() => parseXml('<1a/>'), /invalid element name/);
      assert.throws(() => parseXml('<a>' + '<b>'.repeat(40) + '</b>'.repeat(40) + '</a>'), /deeper than 32/);
    });

    it('caps the size, refuses UTF-16, bad UTF-8 and unknown encodings; reads ISO-8859-1', () => {
      assert.throws(() => decodeXml(new Uint8Array(MAX_XML_BYTES + 1)), /larger than 256 KiB/);
      assert.throws(() => parseXml('<a>' + 'x'.repeat(MAX_XML_BYTES) + '</a>'), /larger than/);
      assert.throws(() => decodeXml(new Uint8Array([0xff, 0xfe, 0x3c, 0])), /UTF-16/);
      assert.throws(() => decodeXml(new Uint8Array([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])), /not valid UTF-8/);
      assert.throws(() => decodeXml(enc('<?xml version="1.0" encoding="Shift_JIS"?><a/>')), /not supported/);
      const latin = Uint8Array.from([...enc('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), 0xe9, ...enc('</a>')]);
      assert.equal(parseXml(decodeXml(latin)).text, 'é');
      assert.equal(parseXml(decodeXml(Uint8Array.from([0xef, 0xbb, 0xbf, ...enc('<a>ü</a>')]))).text, 'ü');
    });
  });

  describe('JDBC URLs', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['jdbc:postgresql://dbserver:5432/jiradb', { driver: 'postgres', host: 'dbserver', port: 5432, database: 'jiradb' }],
      ['jdbc:postgresql://db.example.com/jira?sslmode=require&currentSchema=x', { driver: 'postgres', host: 'db.example.com', database: 'jira', ssl: true }],
      ['jdbc:postgresql://[::1]:5433/jira%20db', { driver: 'postgres', host: '::1', port: 5433, database: 'jira db' }],
      ['jdbc:mysql://localhost:3306/jiradb?useUnicode=true&characterEncoding=UTF8&sessionVariables=default_storage_engine=InnoDB', { driver: 'mysql', host: 'localhost', port: 3306, database: 'jiradb' }],
      ['jdbc:mariadb://maria.internal/jira?useSSL=true', { driver: 'mysql', host: 'maria.internal', database: 'jira', ssl: true }],
      ['jdbc:sqlserver://dbhost:1433;databaseName=jiradb;portNumber=1433;encrypt=true;trustServerCertificate=false', { driver: 'mssql', host: 'dbhost', port: 1433, database: 'jiradb', ssl: true }],
      ['jdbc:sqlserver://;serverName=dbhost;databaseName={jira;db}}x};user=svc', { driver: 'mssql', host: 'dbhost', database: 'jira;db}x', user: 'svc' }],
      ['jdbc:sqlserver://dbhost\\SQLEXPRESS;databaseName=jira', { driver: 'mssql', host: 'dbhost\\SQLEXPRESS', database: 'jira' }],
      ['jdbc:sqlserver://dbhost;instanceName=JIRA;DatabaseName=jira', { driver: 'mssql', host: 'dbhost\\JIRA', database: 'jira' }],
      ['jdbc:sqlserver://dbhost\\JIRA:1500;databaseName=jira', { driver: 'mssql', host: 'dbhost', port: 1500, database: 'jira' }],
      ['jdbc:jtds:sqlserver://dbhost:1433/jiradb;instance=JIRA', { driver: 'mssql', host: 'dbhost', port: 1433, database: 'jiradb' }],
      ['jdbc:oracle:thin:@//orahost:1521/JIRAPDB', { driver: 'oracle', host: 'orahost', port: 1521, database: 'JIRAPDB' }],
      ['jdbc:oracle:thin:@orahost:1521/jira.example.com', { driver: 'oracle', host: 'orahost', port: 1521, database: 'jira.example.com' }],
      ['jdbc:oracle:thin:@orahost:1521:ORCL', { driver: 'oracle', host: 'orahost', port: 1521, database: 'ORCL' }],
      ['jdbc:oracle:thin:@tcps://orahost:2484/svc', { driver: 'oracle', host: 'orahost', port: 2484, database: 'svc', ssl: true }],
      ['jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=orahost)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=jira)))', { driver: 'oracle', host: 'orahost', port: 1521, database: 'jira' }],
      ['jdbc:oracle:thin:@( description = (address=(protocol=tcps)(host=h2)(port=2484)) (connect_data=(sid=ORCL)) )', { driver: 'oracle', host: 'h2', port: 2484, database: 'ORCL', ssl: true }],
    ];
    for (const [url, expected] of cases) {
      it(url, () => {
        const t = parseJdbcUrl(url);
        const { notes: _n, ...rest } = t;
        assert.deepEqual(rest, expected);
      });
    }

    it('says when it guessed: an Oracle SID, a named instance and a port, a password in the URL', () => {
      assert.match(parseJdbcUrl('jdbc:oracle:thin:@h:1521:ORCL').notes.join(), /SID \(ORCL\), not a service name/);
      assert.match(parseJdbcUrl('jdbc:sqlserver://h\\I:1500;databaseName=j').notes.join(), /instance name \(I\) and a port \(1500\)/);
      for (const url of ['jdbc:postgresql://h/j?password=hunter2', 'jdbc:sqlserver://h;databaseName=j;password=hunter2', 'jdbc:oracle:thin:scott/hunter2@//h:1521/s']) {
        const t = parseJdbcUrl(url);
        assert.match(t.notes.join(), /password.*ignored/);
        assert.ok(!JSON.stringify(t).includes('hunter2'), url);
      }
    });

    const refused: Array<[string, RegExp]> = [
      ['jdbc:postgresql://h1:5432,h2:5432/jira', /several hosts/],
      ['jdbc:postgresql://user:hunter2@h/jira', /user name or password before the host/],
      ['jdbc:postgresql://h:99999/jira', /port "99999"/],
      ['jdbc:postgresql://h/', /names no database/],
      ['jdbc:postgresql:jira', /must look like/],
      ['jdbc:mysql:loadbalance://h1,h2/jira', /several servers/],
      ['jdbc:mysql://address=(host=h)(port=3306)/jira', /address=/],
      ['jdbc:sqlserver://h;user=x', /names no database/],
      ['jdbc:sqlserver://h;databaseName={open', /unterminated \{braced value\}/],
      ['jdbc:sqlserver://h/jira', /databaseName/],
      ['jdbc:oracle:thin:@JIRA_TNS', /TNS alias/],
      ['jdbc:oracle:oci:@JIRA', /thin driver/],
      ['jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS_LIST=(ADDRESS=(PROTOCOL=TCP)(HOST=a)(PORT=1))(ADDRESS=(PROTOCOL=TCP)(HOST=b)(PORT=1)))(CONNECT_DATA=(SERVICE_NAME=s)))', /names 2 hosts/],
      ['jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=a)(PORT=1))(CONNECT_DATA=(SERVICE_NAME=s))', /not balanced/],
      ['jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=IPC)(KEY=x)(HOST=a))(CONNECT_DATA=(SERVICE_NAME=s)))', /protocol IPC/],
      ['jdbc:h2:file:/var/jira/database', /"h2" is not one/],
      ['http://x', /does not start with jdbc:/],
      ['jdbc:postgresql://h/j\nx', /control characters/],
      ['jdbc:postgresql://h;rm -rf/j', /host name contains/],
    ];
    for (const [url, re] of refused) {
      it(`refuses ${url.slice(0, 70)}`, () => {
        assert.throws(() => parseJdbcUrl(url), (e: Error) => e instanceof JdbcUrlError && re.test(e.message) && !e.message.includes('hunter2'));
      });
    }
  });

  describe('the database section from a file', () => {
    it('fills driver, host, port, database, user and schema; never the password; lists the changes', () => {
      const file = readDbConfig(enc(dbconfigXml({ url: 'jdbc:postgresql://db:5432/jiradb', schema: 'jiraschema', user: 'jira&amp;co', password: 's3cret-pw' })));
      assert.equal(file.hasPassword, true);
      assert.ok(!JSON.stringify(file).includes('s3cret-pw'));
      const r = databaseFromDbConfig(file, { driver: 'mysql', host: 'old', database: 'x', readOnly: false });
      assert.deepEqual(r.database, { driver: 'postgres', host: 'db', port: 5432, database: 'jiradb', user: 'jira&co', readOnly: false, schema: 'jiraschema' });
      assert.deepEqual(r.changes.map((c) => [c.field, c.from, c.to]), [
        ['database.driver', 'mysql', 'postgres'],
        ['database.host', 'old', 'db'],
        ['database.port', undefined, '5432'],
        ['database.database', 'x', 'jiradb'],
        ['database.user', undefined, 'jira&co'],
        ['database.schema', undefined, 'jiraschema'],
      ]);
      assert.match(r.notes.join(), /database password in the file was not imported/);
      assert.ok(!JSON.stringify(r).includes('s3cret-pw'));
      assert.ok(checkProfile({ id: 'j', name: 'J', product: 'jira', baseUrl: 'https://j', environment: 'test', database: r.database }).ok);
    });

    it('a new section is read-only; MySQL drops <schema-name> with a note; CDATA in the URL is read', () => {
      const file = readDbConfig(enc(dbconfigXml({ type: 'mysql8', schema: 'public', url: '<![CDATA[jdbc:mysql://m:3306/jira?a=1&b=2]]>', user: 'root' })));
      const r = databaseFromDbConfig(file);
      assert.deepEqual(r.database, { driver: 'mysql', host: 'm', port: 3306, database: 'jira', user: 'root', readOnly: true });
      assert.match(r.notes.join(), /on MySQL\/MariaDB the database \(jira\) is the schema/);
    });

    it('reads Confluence\'s confluence.cfg.xml', () => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<confluence-configuration><setupStep>complete</setupStep><properties>
<property name="hibernate.connection.url">jdbc:sqlserver://sql:1433;databaseName=confluence</property>
<property name="hibernate.connection.username">conf</property>
<property name="hibernate.connection.password">pw</property>
<property name="hibernate.dialect">com.atlassian.confluence.impl.hibernate.dialect.SQLServerDialect</property>
</properties></confluence-configuration>`;
      const r = databaseFromDbConfig(readDbConfig(enc(xml)));
      assert.deepEqual(r.database, { driver: 'mssql', host: 'sql', port: 1433, database: 'confluence', user: 'conf', readOnly: true });
    });

    const broken: Array<[string, string, RegExp]> = [
      ['wrong root', '<server><url>jdbc:postgresql://h/j</url></server>', /root element is <server>, expected <jira-database-config>/],
      ['missing url', dbconfigXml({ url: '' }).replace(/<url><\/url>/, ''), /<jdbc-datasource\/url> is missing/],
      ['empty url', dbconfigXml({ url: '  ' }), /<jdbc-datasource\/url> is empty/],
      ['missing username', dbconfigXml({ url: 'jdbc:postgresql://h/j' }), /<jdbc-datasource\/username> is missing/],
      ['missing database-type', dbconfigXml({ url: 'jdbc:postgresql://h/j', user: 'u' }).replace(/<database-type>.*<\/database-type>/, ''), /<jira-database-config\/database-type> is missing/],
      ['missing jdbc-datasource', '<jira-database-config><database-type>postgres72</database-type></jira-database-config>', /<jdbc-datasource> is missing/],
      ['JNDI', '<jira-database-config><database-type>postgres72</database-type><jndi-datasource><jndi-name>java:comp/env/jdbc/JiraDS</jndi-name></jndi-datasource></jira-database-config>', /JNDI datasource/],
      ['two urls', dbconfigXml({ url: 'jdbc:postgresql://h/j', user: 'u', extra: '<url>jdbc:postgresql://evil/j</url>' }), /<jdbc-datasource\/url> appears 2 times/],
      ['type and URL disagree', dbconfigXml({ type: 'oracle10g', url: 'jdbc:postgresql://h/j', user: 'u' }), /says oracle10g but the JDBC URL is for postgres/],
      ['embedded H2', dbconfigXml({ type: 'h2', url: 'jdbc:h2:file:/var/jira/db', user: 'sa' }), /embedded h2 database/],
      ['bad JDBC URL', dbconfigXml({ url: 'jdbc:postgresql://a,b/j', user: 'u' }), /several hosts.*\(in jdbc-datasource\/url\)/],
      ['entity', dbconfigXml({ url: 'jdbc:postgresql://h/&ext;', user: 'u' }), /entity &ext; is not allowed/],
      ['doctype', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>` + dbconfigXml({ url: 'jdbc:postgresql://h/&ext;', user: 'u' }).replace(/^<\?xml[^>]*>/, ''), /DOCTYPE/],
      ['element instead of text', dbconfigXml({ url: '<a>jdbc:postgresql://h/j</a>', user: 'u' }), /<jdbc-datasource\/url> must hold text/],
    ];
    for (const [what, xml, re] of broken) {
      it(`refuses ${what} with a clear error`, () => {
        assert.throws(() => databaseFromDbConfig(readDbConfig(enc(xml))), inputError(re));
      });
    }

    it('refuses a huge file before parsing it', () => {
      const huge = dbconfigXml({ url: 'jdbc:postgresql://h/j', user: 'u', extra: `<!-- ${'x'.repeat(MAX_XML_BYTES)} -->` });
      assert.throws(() => readDbConfig(enc(huge)), inputError(/larger than 256 KiB/));
    });
  });
});
