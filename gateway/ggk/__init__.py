"""The GGk 0310 koppelvlak (gemeentelijk gegevensknooppunt): iJw messages in StUF envelopes over SOAP 1.1.

``envelope`` reads and builds ggk_Di01, ggk_Du01, Fo01 and the Bv03 / Fo03 answers; ``refs`` maps
message ids to the UUID referentienummers; ``ijw`` reads what an envelope needs from the iJw
message; ``outbound`` is the relay's ``ggk`` channel; ``inbound`` takes envelopes into the one intake.
"""
