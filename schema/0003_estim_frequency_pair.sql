-- sessionlog schema, version 3: electro-acupuncture's alternating frequencies.
-- Electro-acupuncture and electrical dry needling are often given as "dense-disperse"
-- stimulation, alternating a low and a high frequency (written 2/100 Hz). A site keeps
-- the low one in estim_frequency_hz and, for such a pair, the high one here (null when
-- one frequency was used). The domain checks that it is given only with the first and
-- is higher than it. Adding a nullable column changes no stored row, so the site
-- table's append-only triggers (0001) are untouched.

ALTER TABLE site ADD COLUMN estim_frequency_2_hz REAL CHECK (estim_frequency_2_hz BETWEEN 0.1 AND 200);
