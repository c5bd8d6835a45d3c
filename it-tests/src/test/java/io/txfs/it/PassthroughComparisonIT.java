package io.txfs.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every POSIX operation and its errors, run once in a plain directory and once inside a txfs
 * passthrough mount: the transcripts must be identical. One scenario per test; each runs in its own
 * fresh directories. The scenarios live in src/test/resources/scenarios.
 */
class PassthroughComparisonIT {
  @RegisterExtension
  static final MountFixture MOUNT = MountFixture.passthrough();

  @Test
  void directoriesMkdirRmdirModesAndTheirErrors() {
    TranscriptComparison.assertSameAsNative(MOUNT, "dirs.py");
  }

  @Test
  void regularFilesCreateOpenReadWriteUnlinkAndTheirErrors() {
    TranscriptComparison.assertSameAsNative(MOUNT, "files.py");
  }

  @Test
  void namesOver255BytesAndPathsOverPathMaxAreTooLong() {
    TranscriptComparison.assertSameAsNative(MOUNT, "names.py");
  }

  @Test
  void renameReplacesAsPosixSaysAndCrossingTheMountIsExdev() {
    TranscriptComparison.assertSameAsNative(MOUNT, "rename.py");
  }

  @Test
  void renameat2NoreplaceAndExchange() {
    TranscriptComparison.assertSameAsNative(MOUNT, "rename2.c");
  }

  @Test
  void hardLinksCountOnEveryNameAndSymlinksResolve() {
    TranscriptComparison.assertSameAsNative(MOUNT, "links.py");
  }

  @Test
  void chmodChownUtimensAndAccess() {
    TranscriptComparison.assertSameAsNative(MOUNT, "attrs.py");
  }

  @Test
  void truncateAndFtruncate() {
    TranscriptComparison.assertSameAsNative(MOUNT, "truncate.py");
  }

  @Test
  void extendedAttributesWithCreateAndReplaceFlags() throws IOException {
    Path probe = Files.createTempFile(MOUNT.scratch(), "xattr-probe", "");
    try {
      Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class)
          .write("probe", ByteBuffer.wrap(new byte[] {1}));
    } catch (IOException | UnsupportedOperationException e) {
      Assumptions.abort("the backing filesystem does not support user.* xattrs (" + e + "): nothing to compare");
    } finally {
      Files.delete(probe);
    }
    TranscriptComparison.assertSameAsNative(MOUNT, "xattr.py");
  }

  @Test
  void sparseFilesSeekDataSeekHoleAndFallocate() {
    TranscriptComparison.assertSameAsNative(MOUNT, "sparse.py");
  }

  @Test
  void fifosDeviceNodesStatfsAndFsync() {
    TranscriptComparison.assertSameAsNative(MOUNT, "special.py");
  }

  @Test
  void writesPastTheFileSizeLimitAreEfbig() {
    TranscriptComparison.assertSameAsNative(MOUNT, "efbig.py");
  }

  @Test
  void mmapSharedReadsAndWritesAndPrivateCopies() {
    TranscriptComparison.assertSameAsNative(MOUNT, "mapping.py");
  }

  @Test
  void descriptorsAndMappingsOfOneFileSeeEachOthersChanges() {
    TranscriptComparison.assertSameAsNative(MOUNT, "coherence.py");
  }

  @Test
  void forgottenInodesComeBackAsTheSameFiles() {
    TranscriptComparison.assertSameAsNative(MOUNT, "forget.py");
  }

  @Test
  void readdirListsEveryEntryWithItsType() {
    TranscriptComparison.assertSameAsNative(MOUNT, "readdir.py");
  }

  @Test
  void gitTarCpAndFindWorkAsOnALocalDirectory() {
    TranscriptComparison.assertSameAsNative(MOUNT, "tools.sh");
  }

  @Test
  void binariesAndScriptsExecuteFromTheMount() {
    TranscriptComparison.assertSameAsNative(MOUNT, "exec.sh");
  }
}
