// SPDX-License-Identifier: MIT
#include "widgets/jobs/error_text.h"

namespace pq::widgets {

QString ErrorText::summary(core::ErrorCode code)
{
    switch (code) {
    case core::ErrorCode::Io:
        return tr("A file could not be read or written.");
    case core::ErrorCode::NotFound:
        return tr("A file that is needed is missing.");
    case core::ErrorCode::InvalidFormat:
        return tr("A file is damaged or not in the expected format.");
    case core::ErrorCode::InvalidArgument:
        return tr("A value is out of range or inconsistent.");
    case core::ErrorCode::Unsupported:
        return tr("This model uses something PrismaQuant cannot handle yet.");
    case core::ErrorCode::AlreadyQuantized:
        return tr("This model is already quantized.");
    case core::ErrorCode::UnsafePath:
        return tr("A file points outside the model folder, so it was not opened.");
    case core::ErrorCode::Cancelled:
        return tr("The job was cancelled.");
    case core::ErrorCode::NoSpace:
        return tr("The disk is full.");
    }
    return tr("Something unexpected went wrong.");
}

QString ErrorText::summary(int code)
{
    if (code < static_cast<int>(core::ErrorCode::Io) ||
        code > static_cast<int>(core::ErrorCode::NoSpace)) {
        return tr("Something unexpected went wrong.");
    }
    return summary(static_cast<core::ErrorCode>(code));
}

}  // namespace pq::widgets
