package io.txfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link FsDriver} over real system calls in a mount: a {@link ViewAgent} (python3, one os call per
 * command) working in its own fresh directory of the mount. The agent is a plain process for a
 * passthrough mount, or runs inside a view ({@code txfs run}) reached through the shared root or through
 * its own mount namespace. The agent belongs to the fixture that started it (which stops it), and may
 * serve several drivers one after another, each in its own directory.
 */
final class AgentDriver implements FsDriver {
    private final ViewAgent agent;
    private final String base;

    /** Works through the agent; makes {@code directory} (an absolute path in the mount, new) from inside it. */
    AgentDriver(ViewAgent agent, String directory) {
        this.agent = agent;
        this.base = directory;
        mkdir("", 0755);
    }

    @Override
    public String describe() {
        return agent + " in " + base;
    }

    private String p(String path) {
        return path.isEmpty() ? base : base + "/" + path;
    }

    private JsonNode call(String op, Object... kv) {
        JsonNode r = agent.raw(op, kv);
        if (r.path("ok").asBoolean()) {
            return r.get("result");
        }
        if (r.path("errno").isNull() || r.path("errno").isMissingNode()) {
            fail(agent + ": " + op + " broke the agent: " + r.path("error").asText());
        }
        throw new Failure(r.path("errno").asText(), op + ": " + r.path("error").asText());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(
                n -> out.add(n.isArray() ? n.get(0).asText() + " " + n.get(1).asText() : n.asText()));
        return out;
    }

    @Override
    public void mkdir(String path, int mode) {
        call("mkdir", "path", p(path), "mode", mode);
    }

    @Override
    public void create(String path, String content) {
        call("create", "path", p(path), "data", content);
    }

    @Override
    public void pwrite(String path, long offset, String content) {
        call("pwrite", "path", p(path), "offset", offset, "data", content);
    }

    @Override
    public String read(String path) {
        return call("read", "path", p(path)).asText();
    }

    @Override
    public void unlink(String path) {
        call("unlink", "path", p(path));
    }

    @Override
    public void rmdir(String path) {
        call("rmdir", "path", p(path));
    }

    @Override
    public void rename(String from, String to) {
        call("rename", "path", p(from), "to", p(to));
    }

    @Override
    public void link(String existing, String newPath) {
        call("link", "src", p(existing), "dst", p(newPath));
    }

    @Override
    public void symlink(String target, String path) {
        call("symlink", "target", target, "path", p(path));
    }

    @Override
    public String readlink(String path) {
        return call("readlink", "path", p(path)).asText();
    }

    @Override
    public void mkfifo(String path) {
        call("mkfifo", "path", p(path));
    }

    @Override
    public Stat stat(String path) {
        JsonNode s = call("stat", "path", p(path));
        int mode = s.path("mode").asInt();
        return new Stat(
                Stat.typeOf(mode),
                mode & 07777,
                s.path("nlink").asLong(),
                s.path("size").asLong(),
                s.path("ino").asLong());
    }

    @Override
    public List<String> list(String path) {
        return strings(call("listdir", "path", p(path)));
    }

    @Override
    public List<String> entries(String path) {
        return strings(call("entries", "path", p(path)));
    }

    @Override
    public void chmod(String path, int mode) {
        call("chmod", "path", p(path), "mode", mode);
    }

    @Override
    public void truncate(String path, long size) {
        call("truncate", "path", p(path), "size", size);
    }

    @Override
    public void setxattr(String path, String name, String value, int flags) {
        call("setxattr", "path", p(path), "name", name, "value", value, "flags", flags);
    }

    @Override
    public String getxattr(String path, String name) {
        return call("getxattr", "path", p(path), "name", name).asText();
    }

    @Override
    public List<String> listxattr(String path) {
        return strings(call("listxattr", "path", p(path)));
    }

    @Override
    public void removexattr(String path, String name) {
        call("removexattr", "path", p(path), "name", name);
    }

    @Override
    public void close() {
        // the agent is the fixture's: it stops it with the mount
    }
}
