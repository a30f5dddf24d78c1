package org.lotusia.libp2p.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a node's identity key in a file, in the format go-libp2p, js-libp2p and kubo use: the raw
 * bytes of the libp2p {@code PrivateKey} protobuf (see {@link PrivateKey#marshal()}).
 *
 * <p>Files are written atomically: the key goes to a temporary file in the same directory, created
 * with owner-only permissions ({@code 0600}) on POSIX file systems and flushed to disk, which is then
 * renamed into place. Missing parent directories are created owner-only ({@code 0700}). Loading never
 * creates or replaces a key: a missing, empty, oversized, PEM, text or otherwise corrupt file is an
 * {@link IdentityFileException} whose message names the file and the problem.
 */
public final class IdentityFile {
    /** Largest identity file read (the largest key accepted, see {@link Keys#MAX_MARSHALLED_KEY_BYTES}). */
    public static final int MAX_FILE_BYTES = Keys.MAX_MARSHALLED_KEY_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(IdentityFile.class);
    private static final Set<PosixFilePermission> FILE_PERMS =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> DIR_PERMS = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private IdentityFile() {
    }

    /**
     * Writes {@code key} to {@code path}, atomically replacing any existing file.
     *
     * @throws IdentityFileException if the file cannot be written
     */
    public static void save(Path path, PrivateKey key) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(key, "key");
        Path target = path.toAbsolutePath();
        Path tmp = writeTemp(target, key.marshal());
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(target.getParent());
        } catch (IOException e) {
            throw new IdentityFileException("cannot write identity file " + target + ": " + e, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Reads the private key stored at {@code path}.
     *
     * @throws IdentityFileException if the file is missing, unreadable, empty, larger than
     *     {@value #MAX_FILE_BYTES} bytes, or not a libp2p {@code PrivateKey} protobuf
     */
    public static PrivateKey load(Path path) {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new IdentityFileException("identity file " + path + " is a directory");
        }
        byte[] data;
        try (InputStream in = Files.newInputStream(path)) {
            data = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new IdentityFileException("identity file " + path + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new IdentityFileException("identity file " + path + " cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new IdentityFileException("cannot read identity file " + path + ": " + e, e);
        }
        if (data.length == 0) {
            throw new IdentityFileException("identity file " + path + " is empty");
        }
        if (data.length > MAX_FILE_BYTES) {
            throw new IdentityFileException("identity file " + path + " is larger than " + MAX_FILE_BYTES
                    + " bytes; it is not a libp2p private key");
        }
        PrivateKey key;
        try {
            key = Keys.unmarshalPrivateKey(data);
        } catch (KeyFormatException e) {
            throw new IdentityFileException("identity file " + path + " " + describeForeign(data)
                    + ": " + e.getMessage(), e);
        }
        warnIfExposed(path);
        return key;
    }

    /**
     * Loads the key at {@code path}, or, if no file exists there, generates a key of {@code type} and
     * saves it. An existing file that cannot be loaded is an error: it is never replaced. If another
     * process creates the file concurrently, its key is loaded and returned.
     *
     * @throws IdentityFileException if an existing file is invalid or the new file cannot be written
     */
    public static PrivateKey loadOrCreate(Path path, KeyType type) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Path target = path.toAbsolutePath();
        if (Files.exists(target) || Files.isSymbolicLink(target)) {
            return load(target);
        }
        PrivateKey key = Keys.generate(type);
        if (!createNew(target, key)) {
            return load(target);
        }
        LOG.info("Created new {} identity {} in {}", type, key.publicKey().peerId(), target);
        return key;
    }

    /** Writes a new file without replacing an existing one; returns false if one appeared meanwhile. */
    private static boolean createNew(Path target, PrivateKey key) {
        Path tmp = writeTemp(target, key.marshal());
        try {
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (IOException | UnsupportedOperationException e) {
                // no hard links on this file system: a plain move still refuses to replace a file
                Files.move(tmp, target);
            }
            syncDirectory(target.getParent());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new IdentityFileException("cannot create identity file " + target + ": " + e, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static Path writeTemp(Path target, byte[] bytes) {
        Path dir = target.getParent();
        Path tmp = null;
        try {
            boolean posix = createDirectories(dir);
            String prefix = "." + target.getFileName() + ".";
            if (posix) {
                FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(FILE_PERMS);
                tmp = Files.createTempFile(dir, prefix, ".tmp", attr);
                Files.setPosixFilePermissions(tmp, FILE_PERMS);
            } else {
                tmp = Files.createTempFile(dir, prefix, ".tmp");
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw new IdentityFileException("cannot write identity file " + target + ": " + e, e);
        }
    }

    /** Creates missing directories (owner-only on POSIX); returns true if the file system is POSIX. */
    private static boolean createDirectories(Path dir) throws IOException {
        boolean posix;
        if (Files.isDirectory(dir)) {
            posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        } else {
            posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMS));
            } else {
                Files.createDirectories(dir);
            }
        }
        return posix;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // best effort: not every platform can open or sync a directory
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("could not delete temporary file {}", p, e);
        }
    }

    private static void warnIfExposed(Path path) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
            if (!FILE_PERMS.containsAll(perms)) {
                LOG.warn("identity file {} is accessible to other users ({}); restrict it to the owner (chmod 600)",
                        path, PosixFilePermissions.toString(perms));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system, or a symbolic link: nothing to check
        }
    }

    /** Says what a file that is not a key looks like, for the error message. */
    private static String describeForeign(byte[] data) {
        String head = new String(data, 0, Math.min(data.length, 64), StandardCharsets.ISO_8859_1);
        if (head.stripLeading().startsWith("-----BEGIN")) {
            return "is a PEM file, not a libp2p PrivateKey protobuf (convert it to the binary libp2p format)";
        }
        if (isText(data)) {
            return "contains text, not a binary libp2p PrivateKey protobuf";
        }
        return "is not a valid libp2p PrivateKey protobuf";
    }

    private static boolean isText(byte[] data) {
        for (byte b : data) {
            int c = b & 0xff;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return true;
    }
}
