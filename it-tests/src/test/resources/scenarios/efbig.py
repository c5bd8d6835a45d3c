# EFBIG: writes and truncates past RLIMIT_FSIZE, and past the largest offset the backing fs allows.
# expect: write 1 byte at the limit: EFBIG
# expect: truncate past the limit: EFBIG
# expect: pwrite at 17 TiB: EFBIG
from fsx import *
import resource, signal

MiB = 1 << 20
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (MiB, hard))
fd = os.open("f", os.O_RDWR | os.O_CREAT, 0o644)
do("write 2 MiB under a 1 MiB limit (short)", os.write, fd, b"x" * (2 * MiB), show=str)
do("write 1 byte at the limit", os.write, fd, b"y")
do("pwrite 2 bytes straddling the limit (short)", os.pwrite, fd, b"zz", MiB - 1, show=str)
do("pwrite far beyond the limit", os.pwrite, fd, b"z", 10 * MiB)
do("truncate past the limit", os.ftruncate, fd, 2 * MiB)
do("truncate below the limit", os.ftruncate, fd, MiB // 2)
do("posix_fallocate past the limit", os.posix_fallocate, fd, 0, 2 * MiB)
do("truncate by path past the limit", os.truncate, "f", 3 * MiB)
fd2 = do("O_TRUNC open under the limit", os.open, "f", os.O_WRONLY | os.O_TRUNC)
os.close(fd2)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
do("write 2 MiB without a limit", os.write, fd, b"x" * (2 * MiB), show=str)
st("f")

# The largest offsets: 17 TiB is past ext4's 16 TiB maximum; 2^63-1 is past every filesystem's.
TiB = 1 << 40
do("pwrite at 17 TiB", os.pwrite, fd, b"a", 17 * TiB)
do("ftruncate to 17 TiB", os.ftruncate, fd, 17 * TiB)
do("pwrite at 2^63-1", os.pwrite, fd, b"a", (1 << 63) - 1)
do("ftruncate to 2^63-1", os.ftruncate, fd, (1 << 63) - 1)
do("ftruncate to 1 TiB (sparse)", os.ftruncate, fd, TiB)
do("pwrite at 1 TiB", os.pwrite, fd, b"end", TiB, show=str)
st("f")
do("pread at 1 TiB", os.pread, fd, 10, TiB, show=repr)
os.close(fd)
