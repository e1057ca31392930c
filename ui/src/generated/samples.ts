// Generated from the Rust types by `cargo test` (ts-rs); do not edit.
import type { Account } from "./Account";
import type { BundleView } from "./BundleView";
import type { Case } from "./Case";
import type { CaseSummary } from "./CaseSummary";
import type { Item } from "./Item";
import type { Profile } from "./Profile";

// What serde_json sends for these values (src/transport.rs `samples`): tsc checks
// each against its generated type, extra and missing fields included.

export const fullItem: Item = {
  "id": 1,
  "case_id": "EK-20261125-3F2A9C",
  "sha256": "abababababababababababababababababababababababababababababababab",
  "size": 1234,
  "media_type": "message/rfc822",
  "original_name": "mail.eml",
  "source": "other",
  "captured": {
    "utc": "2026-11-25T14:32:05.123Z",
    "local": "2026-11-25T14:32:05.123+00:00",
    "zone": "Europe/London"
  },
  "captured_by": "A. Teacher",
  "site": "Facebook",
  "url": "https://example.org/post/1",
  "from": {
    "handle": "@someone",
    "email": "someone@example.org",
    "phone": "07700 900000",
    "profile": "https://example.org/someone"
  },
  "seen": "2026-11-24T20:00:00Z",
  "note": "The first post.",
  "email": {
    "from": "someone@example.org",
    "to": "a.teacher@school.example",
    "date": "2026-11-24T20:00:00Z",
    "subject": "You",
    "message_id": "<1@example.org>"
  },
  "withdrawn": {
    "at": {
      "utc": "2026-11-25T14:32:05.123Z",
      "local": "2026-11-25T14:32:05.123+00:00",
      "zone": "Europe/London"
    },
    "reason": "A duplicate"
  },
  "removed": {
    "at": {
      "utc": "2026-11-25T14:32:05.123Z",
      "local": "2026-11-25T14:32:05.123+00:00",
      "zone": "Europe/London"
    },
    "reason": "possible indecent image"
  }
};

export const bareItem: Item = {
  "id": 1,
  "case_id": "EK-20261125-3F2A9C",
  "sha256": "abababababababababababababababababababababababababababababababab",
  "size": 1234,
  "media_type": "message/rfc822",
  "original_name": "mail.eml",
  "source": "screen",
  "captured": {
    "utc": "2026-11-25T14:32:05.123Z",
    "local": "2026-11-25T14:32:05.123+00:00",
    "zone": "Europe/London"
  },
  "captured_by": "A. Teacher",
  "site": null,
  "url": null,
  "from": {
    "handle": null,
    "email": null,
    "phone": null,
    "profile": null
  },
  "seen": null,
  "note": null,
  "email": null,
  "withdrawn": null
};

export const emptyCase: Case = {
  "id": "EK-20261125-3F2A9C",
  "title": "Posts about me",
  "staff": "A. Teacher",
  "created": {
    "utc": "2026-11-25T14:32:05.123Z",
    "local": "2026-11-25T14:32:05.123+00:00",
    "zone": "Europe/London"
  },
  "report": {
    "role": null,
    "contact": null,
    "addressed_to": null,
    "description": null,
    "responsible": null,
    "witnesses": null,
    "continuing": null,
    "platform_report": null,
    "advice": null,
    "informed": null,
    "police": null,
    "police_decided": null,
    "police_ref": null,
    "indecent_images": []
  }
};

export const summary: CaseSummary = {
  "id": "EK-20261125-3F2A9C",
  "title": "Posts about me",
  "staff": "A. Teacher",
  "created": {
    "utc": "2026-11-25T14:32:05.123Z",
    "local": "2026-11-25T14:32:05.123+00:00",
    "zone": "Europe/London"
  },
  "report": {
    "role": "Year 4 teacher",
    "contact": "a.teacher@school.example",
    "addressed_to": "Mrs D. Lead",
    "description": "Posts about me in the parents' group.",
    "responsible": "parent",
    "witnesses": "B. Colleague",
    "continuing": true,
    "platform_report": "25 Nov, ref 1234",
    "advice": "POSH helpline",
    "informed": "The head",
    "police": "undecided",
    "police_decided": {
      "utc": "2026-11-25T14:32:05.123Z",
      "local": "2026-11-25T14:32:05.123+00:00",
      "zone": "Europe/London"
    },
    "police_ref": "CAD 77",
    "indecent_images": [
      {
        "recorded": {
          "utc": "2026-11-25T14:32:05.123Z",
          "local": "2026-11-25T14:32:05.123+00:00",
          "zone": "Europe/London"
        },
        "site": "Facebook",
        "police_informed": null
      }
    ]
  },
  "items": 2,
  "withdrawn": 1,
  "state": "sent",
  "last_sealed": "2026-11-25T14:40:00.000+00:00",
  "handed_over": "2026-11-26T09:00:00.000+00:00",
  "changed_since_seal": true,
  "receipt": "Received and verified by D. Lead on 26 November 2026."
};

export const profile: Profile = {
  "name": "A. Teacher",
  "role": "Year 4 teacher",
  "contact": "a.teacher@school.example",
  "school": "St Mary's",
  "show_previews": true,
  "shortcut": "Alt+F9",
  "mode": "staff"
};

export const emptyProfile: Profile = {
  "name": null,
  "role": null,
  "contact": null,
  "school": null,
  "show_previews": false,
  "shortcut": null,
  "mode": null
};

export const bundleView: BundleView = {
  "received": {
    "sha256": "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
    "file": "EK-1.evidence.age",
    "case_ref": "EK-1",
    "staff": "A. Teacher",
    "signer": "A. Teacher",
    "signer_fingerprint": "3F2A 91C0 AB12 CD34",
    "sealed": "2026-11-25T14:40:00Z",
    "received": "2026-11-25T15:00:00.000+00:00",
    "intact": false,
    "findings": [
      "Signed by a key you do not trust yet."
    ],
    "replay": false,
    "bundle_id": "0b1c",
    "tagmanifest_sha256": "efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef",
    "conflict": "It claims the seal of another bundle.",
    "state": "intact_key_not_checked",
    "status": "referred",
    "status_note": "Looked at it.",
    "referred_to": [
      {
        "to": "lado"
      },
      {
        "to": "other",
        "other": "Early Help team"
      }
    ]
  },
  "duplicate": true,
  "report": {
    "file": "EK-1.evidence.age",
    "sha256": "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
    "size": 100,
    "encrypted": true,
    "facts": {
      "format": "evidence-kit-bundle/1",
      "bundle": "0b1c",
      "case": "EK-1",
      "sealed": "2026-11-25T14:40:00Z",
      "signer": "A. Teacher",
      "key_id": "3F2A91C0AB12CD34",
      "recipients": [
        "age1xyz"
      ],
      "tagmanifest_sha256": "efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef"
    },
    "signer": {
      "name": "A. Teacher",
      "key_id": "3F2A91C0AB12CD34",
      "fingerprint": "3F2A 91C0 AB12 CD34",
      "signature_valid": true,
      "trusted": false,
      "trusted_as": "A. Teacher",
      "trusted_file": "staff.pub"
    },
    "case": {
      "id": "EK-20261125-3F2A9C",
      "title": "Posts about me",
      "staff": "A. Teacher",
      "created": {
        "utc": "2026-11-25T14:32:05.123Z",
        "local": "2026-11-25T14:32:05.123+00:00",
        "zone": "Europe/London"
      },
      "report": {
        "role": "Year 4 teacher",
        "contact": "a.teacher@school.example",
        "addressed_to": "Mrs D. Lead",
        "description": "Posts about me in the parents' group.",
        "responsible": "parent",
        "witnesses": "B. Colleague",
        "continuing": true,
        "platform_report": "25 Nov, ref 1234",
        "advice": "POSH helpline",
        "informed": "The head",
        "police": "undecided",
        "police_decided": {
          "utc": "2026-11-25T14:32:05.123Z",
          "local": "2026-11-25T14:32:05.123+00:00",
          "zone": "Europe/London"
        },
        "police_ref": "CAD 77",
        "indecent_images": [
          {
            "recorded": {
              "utc": "2026-11-25T14:32:05.123Z",
              "local": "2026-11-25T14:32:05.123+00:00",
              "zone": "Europe/London"
            },
            "site": "Facebook",
            "police_informed": null
          }
        ]
      }
    },
    "items": 2,
    "payload_bytes": 10,
    "findings": [
      {
        "kind": "altered",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "missing",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "extra",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "unsafe_name",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "signature",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "untrusted_key",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "substituted_key",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "chain",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "mismatch",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "malformed",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "container",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "too_large",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      },
      {
        "kind": "decryption",
        "file": "data/001-a.txt",
        "offset": 12,
        "message": "Something is wrong."
      }
    ],
    "notes": [
      "Worth knowing."
    ]
  },
  "case": {
    "id": "EK-20261125-3F2A9C",
    "title": "Posts about me",
    "staff": "A. Teacher",
    "created": {
      "utc": "2026-11-25T14:32:05.123Z",
      "local": "2026-11-25T14:32:05.123+00:00",
      "zone": "Europe/London"
    },
    "report": {
      "role": "Year 4 teacher",
      "contact": "a.teacher@school.example",
      "addressed_to": "Mrs D. Lead",
      "description": "Posts about me in the parents' group.",
      "responsible": "parent",
      "witnesses": "B. Colleague",
      "continuing": true,
      "platform_report": "25 Nov, ref 1234",
      "advice": "POSH helpline",
      "informed": "The head",
      "police": "undecided",
      "police_decided": {
        "utc": "2026-11-25T14:32:05.123Z",
        "local": "2026-11-25T14:32:05.123+00:00",
        "zone": "Europe/London"
      },
      "police_ref": "CAD 77",
      "indecent_images": [
        {
          "recorded": {
            "utc": "2026-11-25T14:32:05.123Z",
            "local": "2026-11-25T14:32:05.123+00:00",
            "zone": "Europe/London"
          },
          "site": "Facebook",
          "police_informed": null
        }
      ]
    }
  },
  "sealed_local": "2026-11-25T14:40:00.000+00:00",
  "items": [
    {
      "path": "data/001-mail.eml",
      "item": {
        "id": 1,
        "case_id": "EK-20261125-3F2A9C",
        "sha256": "abababababababababababababababababababababababababababababababab",
        "size": 1234,
        "media_type": "message/rfc822",
        "original_name": "mail.eml",
        "source": "other",
        "captured": {
          "utc": "2026-11-25T14:32:05.123Z",
          "local": "2026-11-25T14:32:05.123+00:00",
          "zone": "Europe/London"
        },
        "captured_by": "A. Teacher",
        "site": "Facebook",
        "url": "https://example.org/post/1",
        "from": {
          "handle": "@someone",
          "email": "someone@example.org",
          "phone": "07700 900000",
          "profile": "https://example.org/someone"
        },
        "seen": "2026-11-24T20:00:00Z",
        "note": "The first post.",
        "email": {
          "from": "someone@example.org",
          "to": "a.teacher@school.example",
          "date": "2026-11-24T20:00:00Z",
          "subject": "You",
          "message_id": "<1@example.org>"
        },
        "withdrawn": {
          "at": {
            "utc": "2026-11-25T14:32:05.123Z",
            "local": "2026-11-25T14:32:05.123+00:00",
            "zone": "Europe/London"
          },
          "reason": "A duplicate"
        },
        "removed": {
          "at": {
            "utc": "2026-11-25T14:32:05.123Z",
            "local": "2026-11-25T14:32:05.123+00:00",
            "zone": "Europe/London"
          },
          "reason": "possible indecent image"
        }
      },
      "image": false,
      "problems": [
        "It was changed."
      ]
    }
  ],
  "timeline": [
    {
      "at": "2026-11-25T14:32:05.123+00:00",
      "actor": "A. Teacher",
      "text": "Record started.",
      "clock_anomaly": true
    }
  ],
  "can_trust": true,
  "folder": "/tmp/x",
  "unpack_problem": "No room.",
  "timeline_more": 3,
  "removed_items": 1
};

export const account: Account = {
  "kind": "username",
  "shown": "@someone",
  "value": "someone",
  "cases": [
    "EK-1"
  ],
  "mentions": [
    {
      "case_ref": "EK-1",
      "item_id": 1,
      "item_name": "mail.eml",
      "seen": "2026-11-24T20:00:00.000+00:00"
    }
  ],
  "first_seen": "2026-11-24T20:00:00.000+00:00",
  "last_seen": "2026-11-24T20:00:00.000+00:00"
};
