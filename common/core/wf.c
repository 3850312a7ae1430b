/* wf.c — the error table. */
#include "wf.h"

const char *wf_strerror(int err)
{
	switch (err) {
	case WF_OK: return "ok";
	case WF_EINVAL: return "invalid input";
	case WF_EIO: return "input/output error";
	case WF_ENOMEM: return "out of memory or over a size cap";
	case WF_EBUSY: return "busy";
	case WF_ENOENT: return "not found";
	case WF_ECORRUPT: return "data corrupt";
	case WF_EFULL: return "disk or queue full";
	case WF_EROFS: return "storage is read-only";
	case WF_ETIMEDOUT: return "timed out";
	case WF_ECRYPTO: return "cryptographic check failed";
	case WF_EPROTO: return "protocol error";
	case WF_ECONFLICT: return "conflicting record";
	case WF_EEXIST: return "already exists";
	case WF_ESTATE: return "not allowed in this state";
	}
	return "unknown error";
}
